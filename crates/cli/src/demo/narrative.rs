//! Dispute narratives per 纠纷类型: titles, summaries of 2–4 sentences, requests, agreement
//! terms and what each side says. Placeholders: {A} applicant, {B} respondent (a person or a
//! unit), {V} village (or community) and {RES} its 村民/居民, {T} town, {CITY}, {X} a firm's name, {ROAD}, {M} the month it
//! happened, {Y} years, {N} a small count, {AMT} the amount in dispute, {PAY} the settled
//! sum, {HALF} half the amount, {DUE} the performance date.

use fengqiao_model::DisputeType;

pub struct Scenario {
    /// Goes into the title: "{a}与{b}{subject}纠纷".
    pub subject: &'static str,
    /// Amount in dispute in yuan; (0, 0) when none (the templates then use no amount).
    pub amount: (i64, i64),
    pub background: &'static [&'static str],
    pub cause: &'static [&'static str],
    pub extra: &'static [&'static str],
    pub status: &'static [&'static str],
    pub requests: &'static [&'static str],
    pub terms: &'static [&'static str],
    pub claim: &'static [&'static str],
    pub reply: &'static [&'static str],
}

pub struct TypeSpec {
    pub t: DisputeType,
    /// Relative frequency among a township's disputes.
    pub weight: u32,
    /// Probability that the respondent is a unit, and the units' name patterns.
    pub unit_share: f64,
    pub units: &'static [&'static str],
    pub scenarios: &'static [Scenario],
}

pub fn spec(t: DisputeType) -> &'static TypeSpec {
    SPECS.iter().find(|s| s.t == t).expect("every dispute type has a spec")
}

pub const SPECS: &[TypeSpec] = &[
    TypeSpec {
        t: DisputeType::MarriageFamily,
        weight: 190,
        unit_share: 0.0,
        units: &[],
        scenarios: &[
            Scenario {
                subject: "离婚",
                amount: (20_000, 300_000),
                background: &[
                    "{A}与{B}系夫妻关系，于{Y}年前登记结婚，婚后育有一子。",
                    "{A}与{B}经人介绍相识后结婚，婚后共同在{V}居住生活，育有一女。",
                ],
                cause: &[
                    "近年来双方因家庭琐事经常争吵，{B}长期在外务工、很少回家，夫妻感情逐渐淡漠。",
                    "双方因{B}沉迷赌博、不顾家庭多次发生争执，{A}已回娘家居住。",
                ],
                extra: &["双方对婚后共同积蓄{AMT}的分割意见分歧较大。", "双方亲属多次劝和未果。"],
                status: &["{A}向调委会申请调解，要求解除婚姻关系并合理分割共同财产。", "双方情绪对立，矛盾有进一步激化的可能。"],
                requests: &["解除与{B}的婚姻关系", "依法分割夫妻共同财产", "子女由申请人抚养，{B}按月支付抚养费"],
                terms: &[
                    "双方自愿离婚，并于{DUE}前共同到婚姻登记机关办理离婚登记手续。",
                    "子女由{A}抚养，{B}每月支付抚养费1000元，于每月10日前支付，至子女年满十八周岁止。",
                    "夫妻共同积蓄由双方分割，{B}于{DUE}前支付{A}{PAY}。",
                ],
                claim: &["双方感情确已破裂，要求离婚，孩子由我抚养。"],
                reply: &["同意离婚，但对财产分割有不同意见。", "还是想再给一次机会，不同意马上离婚。"],
            },
            Scenario {
                subject: "赡养",
                amount: (3_000, 40_000),
                background: &["{A}现年七十余岁，丧偶多年，育有子女{N}人，{B}系其长子。", "{A}年老体弱，患有慢性病，无固定收入，独自居住在{V}老宅。"],
                cause: &["近年来{A}的生活费和医疗费用由谁承担，子女之间互相推诿。", "{B}以分家时财产分配不公为由，拒绝支付赡养费。"],
                extra: &["{A}今年住院花去医疗费{AMT}，至今无人结算。"],
                status: &["{A}在村干部陪同下向调委会申请调解，要求子女依法履行赡养义务。"],
                requests: &["{B}每月支付赡养费", "分担已发生的医疗费用", "轮流照顾老人日常生活"],
                terms: &[
                    "{B}自本协议签订之月起每月支付{A}赡养费600元，于每月5日前支付。",
                    "{A}已发生的医疗费用中由{B}承担{PAY}，于{DUE}前付清。",
                    "子女按月轮流照顾{A}的日常起居。",
                ],
                claim: &["年纪大了没有收入，希望子女每月给生活费，看病的钱也要有人管。"],
                reply: &["我愿意尽赡养义务，但其他兄弟姐妹也应共同承担。"],
            },
            Scenario {
                subject: "抚养费",
                amount: (4_000, 60_000),
                background: &["{A}与{B}原系夫妻，已于{Y}年前协议离婚，婚生女随{A}生活。"],
                cause: &["离婚协议约定{B}每月支付抚养费，但{B}自去年起以收入减少为由未再支付。"],
                extra: &["截至目前累计拖欠抚养费{AMT}。"],
                status: &["{A}多次催讨无果，遂向调委会申请调解。"],
                requests: &["{B}支付拖欠的抚养费", "按月足额支付今后的抚养费"],
                terms: &["{B}于{DUE}前一次性支付所欠抚养费{PAY}。", "自下月起{B}每月10日前支付抚养费800元至{A}账户。"],
                claim: &["孩子上学开销大，对方一直不给抚养费。"],
                reply: &["最近工作不稳定，手头紧，希望分期支付。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::Neighborhood,
        weight: 180,
        unit_share: 0.0,
        units: &[],
        scenarios: &[
            Scenario {
                subject: "相邻通行",
                amount: (0, 0),
                background: &["{A}与{B}系{V}前后邻居，两家房屋之间有一条通道，多年来供两户通行。"],
                cause: &[
                    "{M}，{B}在通道上堆放建筑材料并砌筑围墙，致使{A}家人员和车辆无法正常通行。",
                    "{B}翻建房屋时将通道占去一半，{A}认为影响其出行，双方发生争吵。",
                ],
                extra: &["双方曾为此发生推搡，经村干部劝解暂时平息。"],
                status: &["{A}向调委会反映，要求{B}恢复通道原状。"],
                requests: &["{B}拆除在通道上砌筑的围墙", "恢复通道原宽度，保障通行"],
                terms: &[
                    "{B}于{DUE}前清除堆放在通道上的建筑材料，拆除新砌围墙，恢复通道宽度1.5米。",
                    "今后双方均不得在该通道上堆放杂物、搭建建筑物。",
                ],
                claim: &["这条路大家走了几十年，现在被堵住了，家里老人进出很不方便。"],
                reply: &["围墙砌在我家的宅基地范围内，不过可以商量留出通道。"],
            },
            Scenario {
                subject: "相邻排水",
                amount: (1_000, 8_000),
                background: &["{A}与{B}房屋相邻，{B}家地势较高。"],
                cause: &["{B}新建厨房时将排水管直接接向{A}家墙根，雨天积水渗入{A}家，导致墙体发霉。"],
                extra: &["{A}请人估算墙体维修费用约{AMT}。"],
                status: &["双方多次协商未果，遂申请调解。"],
                requests: &["{B}改造排水管道", "赔偿墙体维修费用"],
                terms: &["{B}于{DUE}前将排水管改接至公共排水沟。", "{B}一次性补偿{A}墙体维修费{PAY}，于签订协议时当场付清。"],
                claim: &["一下雨水就流到我家墙角，墙都泡坏了。"],
                reply: &["排水管是以前就有的，可以改，但赔偿要求太高。"],
            },
            Scenario {
                subject: "噪音",
                amount: (0, 0),
                background: &["{A}与{B}系同一栋楼上下层邻居。"],
                cause: &["{B}家经常在深夜打麻将、大声喧哗，{A}家老人和孩子休息受到严重影响。"],
                extra: &["{A}曾多次上门沟通并报警，问题仍未解决。"],
                status: &["双方关系紧张，{A}向调委会求助。"],
                requests: &["{B}晚上十点后不得大声喧哗", "向{A}家赔礼道歉"],
                terms: &["{B}保证每晚22时至次日7时不在家中组织娱乐活动、不大声喧哗。", "双方互谅互让，今后如有问题先行友好协商。"],
                claim: &["天天半夜吵，老人孩子都睡不好觉。"],
                reply: &["偶尔有朋友来聚会，以后会注意。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::HousingHomestead,
        weight: 100,
        unit_share: 0.0,
        units: &[],
        scenarios: &[
            Scenario {
                subject: "宅基地界址",
                amount: (5_000, 60_000),
                background: &["{A}与{B}系{V}{RES}，两家宅基地相邻。"],
                cause: &[
                    "{B}拆旧建新时，{A}认为其新房地基越过原界址约半米，占用了{A}家宅基地。",
                    "双方对两家宅基地之间一块约20平方米空地的使用权存在争议。",
                ],
                extra: &["双方各执一词，均无法提供完整的原始界址资料。", "{B}已开挖地基，{A}多次阻止施工。"],
                status: &["为防止矛盾激化，村委会将纠纷移交调委会调解。"],
                requests: &["确认两家宅基地界址", "{B}停止越界施工"],
                terms: &[
                    "双方同意以村委会会同自然资源所现场勘测确定的界址线为准，并设立界桩。",
                    "{B}按界址线调整地基，越界部分于{DUE}前拆除。",
                    "{B}补偿{A}{PAY}，双方就宅基地界址不再发生争议。",
                ],
                claim: &["他家新房往我家这边多占了半米。"],
                reply: &["我是按老房子的墙基建的，没有多占。"],
            },
            Scenario {
                subject: "房屋租赁合同",
                amount: (6_000, 80_000),
                background: &["{A}将位于{V}的自有房屋出租给{B}经营使用，约定租期{Y}年。"],
                cause: &["{B}自{M}起拖欠房租，累计{AMT}，{A}多次催讨未果。"],
                extra: &["{B}称房屋漏水影响经营，要求减免租金。"],
                status: &["双方协商不成，{A}申请调解。"],
                requests: &["{B}支付拖欠房租", "解除租赁合同并腾退房屋"],
                terms: &["双方同意于{DUE}解除租赁合同，{B}于当日前腾退房屋。", "{B}支付所欠租金{PAY}，与押金相互抵扣后一次性结清。"],
                claim: &["房租拖了好几个月，一直找借口不给。"],
                reply: &["房子漏水一直不修，影响生意。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::Contract,
        weight: 80,
        unit_share: 0.35,
        units: &["{CITY}{X}建材有限公司", "{CITY}{X}装饰工程有限公司", "{CITY}{X}贸易有限公司"],
        scenarios: &[
            Scenario {
                subject: "买卖合同",
                amount: (8_000, 200_000),
                background: &["{B}于{M}向{A}购买一批货物，约定货到后三个月内付清货款。"],
                cause: &["货物交付后，{B}仅支付部分货款，尚欠{AMT}未付。", "{B}以部分货物质量有问题为由拒绝支付剩余货款{AMT}。"],
                extra: &["{A}多次电话催讨，{B}均以资金周转困难为由推脱。"],
                status: &["{A}向调委会申请调解。"],
                requests: &["{B}支付所欠货款"],
                terms: &["{B}分两期支付货款{PAY}：于签订本协议之日支付一半，余款于{DUE}前付清。", "{A}放弃主张逾期付款利息。"],
                claim: &["货早就送到了，钱一直没付清。"],
                reply: &["有些货有质量问题，要扣掉一部分。"],
            },
            Scenario {
                subject: "民间借贷",
                amount: (10_000, 300_000),
                background: &["{B}因建房需要于{M}向{A}借款{AMT}，出具借条一张，约定一年内归还。"],
                cause: &["借款到期后，{B}未按约定归还，{A}多次催讨无果。"],
                extra: &["双方对是否约定利息各执一词。"],
                status: &["{A}担心关系恶化，经村干部建议申请人民调解。"],
                requests: &["{B}归还借款本金", "支付逾期利息"],
                terms: &["{B}于{DUE}前归还借款本金{PAY}。", "如{B}逾期未还，{A}可就全部借款依法向人民法院起诉。"],
                claim: &["借钱给他是看在多年交情上，现在连本金都不还。"],
                reply: &["我不是不还，是最近确实困难，希望宽限一段时间。"],
            },
            Scenario {
                subject: "装修合同",
                amount: (20_000, 150_000),
                background: &["{A}与{B}签订房屋装修合同，约定由{B}承包{A}新房的装修工程，工程款{AMT}。"],
                cause: &["工程完工后，{A}发现墙面开裂、卫生间渗水，要求返工维修，{B}则要求先结清尾款。"],
                extra: &[],
                status: &["双方因此发生争执，{A}申请调解。"],
                requests: &["{B}对质量问题返工维修", "确定尾款支付时间"],
                terms: &["{B}于{DUE}前完成墙面及卫生间防水的返修。", "返修经{A}验收合格后三日内，{A}支付剩余工程款{PAY}。"],
                claim: &["装修质量太差，墙都裂了，卫生间还漏水。"],
                reply: &["开裂是房屋沉降造成的，和施工无关，但可以帮忙修。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::ProductionBusiness,
        weight: 40,
        unit_share: 0.3,
        units: &["{CITY}{X}农资有限公司", "{CITY}{X}农业发展有限公司"],
        scenarios: &[
            Scenario {
                subject: "合伙经营",
                amount: (20_000, 200_000),
                background: &["{A}与{B}于{Y}年前合伙在{V}经营养殖场，约定按出资比例分配盈余。"],
                cause: &["因经营亏损，双方对合伙债务的承担和设备处置产生分歧。"],
                extra: &["合伙期间的账目由{B}掌管，{A}对账目存有异议。"],
                status: &["双方决定散伙，但就清算问题协商不成，申请调解。"],
                requests: &["清算合伙账目", "分割合伙财产", "明确合伙债务承担"],
                terms: &["双方同意解除合伙关系，养殖场设备归{B}所有，{B}补偿{A}{PAY}。", "合伙期间对外债务由双方按出资比例分担。"],
                claim: &["账目不清楚，我要求重新对账。"],
                reply: &["账目都有记录，可以一起核对。"],
            },
            Scenario {
                subject: "种子质量",
                amount: (5_000, 50_000),
                background: &["{A}于{M}从{B}处购买水稻种子和化肥，用于承包的{N}0亩稻田。"],
                cause: &["播种后出苗率明显偏低，{A}认为种子存在质量问题，造成减产损失约{AMT}。"],
                extra: &["农业技术站已到田间查看并出具了意见。"],
                status: &["{A}要求{B}赔偿，{B}不同意，双方申请调解。"],
                requests: &["{B}赔偿减产损失"],
                terms: &["{B}补偿{A}减产损失{PAY}，于{DUE}前付清。"],
                claim: &["种子出苗率不到一半，今年的收成全完了。"],
                reply: &["种子是正规厂家的，出苗率低可能与播种方法和天气有关。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::Damages,
        weight: 100,
        unit_share: 0.0,
        units: &[],
        scenarios: &[
            Scenario {
                subject: "人身损害赔偿",
                amount: (3_000, 80_000),
                background: &["{M}，{A}与{B}在{V}因琐事发生口角，继而相互推搡。"],
                cause: &["{A}在推搡中摔倒受伤，经诊断为右手腕骨折，住院治疗{N}天，花去医疗费{AMT}。"],
                extra: &["派出所已出警处理，建议双方通过调解解决民事赔偿问题。"],
                status: &["{A}要求{B}赔偿医疗费、误工费等损失，{B}认为对方也有过错。"],
                requests: &["{B}赔偿医疗费、误工费、护理费等损失"],
                terms: &[
                    "{B}一次性赔偿{A}医疗费、误工费、护理费等各项损失共计{PAY}，于签订协议时当场付清。",
                    "本协议履行后，双方就此事不再追究对方任何责任。",
                ],
                claim: &["是他先动手推我，我才摔伤了手。"],
                reply: &["当时是他先骂人，我只是推了一下，他自己也有责任。"],
            },
            Scenario {
                subject: "饲养动物损害责任",
                amount: (1_000, 10_000),
                background: &["{M}，{A}途经{B}家门口时，被{B}饲养的犬只咬伤小腿。"],
                cause: &["{A}前往医院接种狂犬疫苗并清创处理，花去医疗费等{AMT}。"],
                extra: &[],
                status: &["{A}要求{B}赔偿，{B}认为系{A}挑逗犬只所致，双方协商不成。"],
                requests: &["{B}赔偿医疗费、交通费、误工费"],
                terms: &["{B}一次性赔偿{A}各项费用{PAY}。", "{B}今后将犬只拴养，并按规定办理养犬登记和免疫。"],
                claim: &["路过他家门口就被狗咬了，打疫苗花了不少钱。"],
                reply: &["狗一直拴着的，是他自己靠太近。"],
            },
            Scenario {
                subject: "财产损害赔偿",
                amount: (2_000, 30_000),
                background: &["{M}，{B}驾驶农用车在{A}家门前倒车。"],
                cause: &["倒车时撞坏了{A}家的围墙和大门，{A}请人估价维修费用约{AMT}，{B}认为要价过高。"],
                extra: &[],
                status: &["双方就赔偿金额协商不成，申请调解。"],
                requests: &["{B}赔偿围墙和大门修复费用"],
                terms: &["{B}赔偿{A}围墙及大门修复费用{PAY}，于{DUE}前付清。"],
                claim: &["大门被撞坏了，必须按原样修好。"],
                reply: &["愿意赔，但报价太高了。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::ForestLand,
        weight: 50,
        unit_share: 0.0,
        units: &[],
        scenarios: &[
            Scenario {
                subject: "山林权属",
                amount: (3_000, 40_000),
                background: &["{A}与{B}均为{V}{RES}，两家承包的山林相邻。"],
                cause: &[
                    "{B}砍伐杉木时越界砍伐了{A}承包山场内的杉木约{N}0株。",
                    "双方对两块山场交界处的界址认识不一，{A}认为{B}种植的桉树占用了其承包林地。",
                ],
                extra: &["林权证上的四至描述较为模糊，双方各执一词。"],
                status: &["林业站和村委会到现场查看后，建议双方通过调解解决。"],
                requests: &["确定山林界址", "{B}赔偿越界砍伐的林木损失"],
                terms: &["双方同意以林业站现场指界确定的界线为准，并共同埋设界桩。", "{B}赔偿{A}林木损失{PAY}。"],
                claim: &["那片杉木是我父亲种下的，被他砍了。"],
                reply: &["我是按老辈人指的界线砍的。"],
            },
            Scenario {
                subject: "土地承包经营",
                amount: (5_000, 30_000),
                background: &["{A}外出务工期间，将承包的{N}亩耕地交由{B}代为耕种，未签订书面协议。"],
                cause: &["{A}返乡后要求收回耕地，{B}以已投入改良土壤、种植果树为由不同意归还。"],
                extra: &["{B}主张投入费用约{AMT}。"],
                status: &["双方多次发生争执，向调委会申请调解。"],
                requests: &["{B}归还承包地", "对地上果树给予合理补偿"],
                terms: &["{B}于{DUE}前将耕地归还{A}。", "{A}补偿{B}果树苗木及土壤改良投入{PAY}。"],
                claim: &["地是我家承包的，当初只是让他帮忙种。"],
                reply: &["我在地里投了不少钱，现在收回去不公平。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::LandExpropriation,
        weight: 30,
        unit_share: 0.3,
        units: &["{T}征迁工作指挥部", "{CITY}{X}建设工程有限公司"],
        scenarios: &[
            Scenario {
                subject: "征地补偿款分配",
                amount: (30_000, 400_000),
                background: &["因{T}道路建设需要，{V}部分集体土地被依法征收。"],
                cause: &["{A}与{B}系兄弟，对父母名下承包地的征地补偿款{AMT}如何分配产生争议。"],
                extra: &["{A}认为自己长期赡养父母应多分，{B}主张平均分配。"],
                status: &["双方争执不下，征迁工作组将纠纷移交调委会调解。"],
                requests: &["依法分配征地补偿款"],
                terms: &["征地补偿款中{A}分得{PAY}，其余归{B}所有。", "双方于补偿款发放之日起三日内按本协议分配。"],
                claim: &["父母一直是我照顾的，补偿款我应该多分。"],
                reply: &["兄弟之间应该平分。"],
            },
            Scenario {
                subject: "青苗补偿",
                amount: (3_000, 30_000),
                background: &["{V}部分耕地因道路建设被临时占用。"],
                cause: &["施工单位进场时毁坏了{A}种植的甘蔗、地瓜等青苗，双方对补偿标准意见不一。"],
                extra: &["{A}主张损失{AMT}。"],
                status: &["{A}多次到工地阻工，征迁指挥部将纠纷移交调委会调解。"],
                requests: &["按实际损失补偿青苗"],
                terms: &["{B}按实际种植面积补偿{A}青苗损失{PAY}，于{DUE}前付清。", "{A}不再阻挠施工。"],
                claim: &["庄稼马上就能收了，全被推平了。"],
                reply: &["补偿按政府标准执行，不能随意提高。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::Environment,
        weight: 20,
        unit_share: 0.5,
        units: &["{CITY}{X}石材有限公司", "{T}{X}养殖专业合作社"],
        scenarios: &[
            Scenario {
                subject: "养殖污染",
                amount: (5_000, 50_000),
                background: &["{B}在{V}经营生猪养殖场，距{A}家约百米。"],
                cause: &["养殖场粪污处理不当，臭味扰民，污水流入{A}承包的鱼塘，造成部分鱼苗死亡，损失约{AMT}。"],
                extra: &["周边村民反映强烈。"],
                status: &["{A}向调委会申请调解。"],
                requests: &["{B}整改粪污处理设施", "赔偿鱼苗损失"],
                terms: &["{B}于{DUE}前完成粪污处理设施整改，不再向沟渠排放污水。", "{B}赔偿{A}鱼苗损失{PAY}。"],
                claim: &["污水流进鱼塘，鱼死了一大片。"],
                reply: &["鱼死可能是天气原因，但愿意整改。"],
            },
            Scenario {
                subject: "粉尘噪声污染",
                amount: (0, 0),
                background: &["{B}在{V}附近经营石材加工厂。"],
                cause: &["工厂切割石材产生的粉尘和噪声影响周边村民生活，{A}等村民多次向其反映。"],
                extra: &[],
                status: &["双方协商未果，村委会将纠纷移交调委会。"],
                requests: &["{B}采取降尘降噪措施", "限制夜间生产"],
                terms: &["{B}于{DUE}前加装喷淋降尘设备和隔音设施。", "{B}保证每日22时至次日6时停止切割作业。"],
                claim: &["晚上机器一直响，家里到处都是灰。"],
                reply: &["会尽快整改，但停产影响订单。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::LaborWageArrears,
        weight: 40,
        unit_share: 0.5,
        units: &["{CITY}{X}建筑劳务有限公司", "{T}{X}鞋业有限公司"],
        scenarios: &[Scenario {
            subject: "拖欠农民工工资",
            amount: (8_000, 200_000),
            background: &["{A}等{N}人于{M}起在{B}承包的工地从事泥水、钢筋等工作。"],
            cause: &["工程完工后，{B}以工程款未结清为由，拖欠{A}等人工资共计{AMT}。"],
            extra: &["临近春节，工人们讨薪心切，情绪较为激动。"],
            status: &["{A}等人向镇劳动保障所反映后，移交调委会调解。"],
            requests: &["{B}支付拖欠的劳动报酬"],
            terms: &["{B}于{DUE}前一次性支付{A}等人工资共计{PAY}。", "工资直接发放至各工人本人银行账户。"],
            claim: &["干了大半年活，工钱一分没拿到，过年回不了家。"],
            reply: &["上面发包方还没给我结账，我也没钱。"],
        }],
    },
    TypeSpec {
        t: DisputeType::LaborOther,
        weight: 30,
        unit_share: 0.9,
        units: &["{T}{X}鞋业有限公司", "{CITY}{X}电子有限公司", "{T}{X}食品有限公司"],
        scenarios: &[
            Scenario {
                subject: "工伤待遇",
                amount: (30_000, 250_000),
                background: &["{A}系{B}员工，从事机器操作工作。"],
                cause: &["{M}，{A}在操作冲压机时不慎压伤左手，经鉴定为十级伤残，{B}未为其缴纳工伤保险。"],
                extra: &["{A}主张各项工伤待遇共计{AMT}。"],
                status: &["双方就工伤待遇协商不成，申请调解。"],
                requests: &["{B}支付一次性伤残补助金、医疗费、停工留薪期工资"],
                terms: &["{B}一次性支付{A}工伤待遇各项费用共计{PAY}。", "双方劳动关系于{DUE}解除，{B}为{A}出具解除劳动关系证明。"],
                claim: &["在厂里干活受的伤，厂里应该负责。"],
                reply: &["愿意承担，但金额需要按标准核算。"],
            },
            Scenario {
                subject: "经济补偿",
                amount: (10_000, 80_000),
                background: &["{A}在{B}工作{Y}年。"],
                cause: &["{B}因订单减少裁减人员，未支付经济补偿即通知{A}离职。"],
                extra: &["{A}要求支付经济补偿金{AMT}，{B}认为金额过高。"],
                status: &["双方协商不成，申请调解。"],
                requests: &["支付解除劳动关系经济补偿金"],
                terms: &["{B}支付{A}经济补偿金{PAY}，于{DUE}前转入{A}账户。"],
                claim: &["干了这么多年，说辞退就辞退，一分钱补偿都没有。"],
                reply: &["公司经营困难，希望能减少一些。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::ConsumerTourism,
        weight: 5,
        unit_share: 1.0,
        units: &["{CITY}{X}旅行社有限公司"],
        scenarios: &[Scenario {
            subject: "旅游服务合同",
            amount: (3_000, 20_000),
            background: &["{A}等{N}人于{M}报名参加{B}组织的云南七日游，团费共计{AMT}。"],
            cause: &["旅行途中导游擅自减少景点、安排购物，{A}等人多次投诉未果。"],
            extra: &[],
            status: &["返程后{A}要求{B}退还部分团费并赔偿，双方协商不成。"],
            requests: &["退还减少景点的费用", "赔偿损失"],
            terms: &["{B}退还{A}等人减少景点的门票及相应服务费用，并另行补偿，共计{PAY}。"],
            claim: &["合同上写的景点少去了三个，还被拉去购物。"],
            reply: &["景点调整是因为天气原因，购物是自愿的。"],
        }],
    },
    TypeSpec {
        t: DisputeType::ConsumerEcommerce,
        weight: 10,
        unit_share: 0.8,
        units: &["{CITY}{X}电子商务有限公司"],
        scenarios: &[Scenario {
            subject: "网络购物合同",
            amount: (1_000, 12_000),
            background: &["{A}于{M}在{B}经营的网店购买一台空调，价款{AMT}。"],
            cause: &["空调安装后制冷效果差，经检测为压缩机故障，{B}只同意维修，不同意退换。"],
            extra: &[],
            status: &["{A}多次与客服沟通无果，向调委会申请调解。"],
            requests: &["退货退款或更换新机"],
            terms: &["{B}为{A}更换同型号新机，并承担上门拆装费用。", "{B}另补偿{A}{PAY}。"],
            claim: &["新买的空调就坏了，要求换新的。"],
            reply: &["按规定可以维修，换新需要厂家同意。"],
        }],
    },
    TypeSpec {
        t: DisputeType::ConsumerOther,
        weight: 15,
        unit_share: 0.9,
        units: &["{T}{X}美容店", "{T}{X}健身会所", "{T}{X}家电商行"],
        scenarios: &[
            Scenario {
                subject: "预付卡退费",
                amount: (2_000, 20_000),
                background: &["{A}于{M}在{B}办理会员卡，预存{AMT}。"],
                cause: &["{B}停业装修后迟迟未恢复营业，{A}要求退还卡内余额被拒。"],
                extra: &["另有多名会员到店讨要。"],
                status: &["{A}向调委会申请调解。"],
                requests: &["退还预付卡余额"],
                terms: &["{B}于{DUE}前退还{A}卡内余额{PAY}。"],
                claim: &["卡里的钱还没用完，店就关门了。"],
                reply: &["装修完会继续营业，可以退，但需要时间。"],
            },
            Scenario {
                subject: "产品质量",
                amount: (1_000, 10_000),
                background: &["{A}于{M}在{B}购买一台冰箱，价款{AMT}。"],
                cause: &["使用不到三个月冰箱即出现不制冷故障，{B}多次维修仍未修好。"],
                extra: &[],
                status: &["{A}要求退货，{B}不同意，双方申请调解。"],
                requests: &["退货并退还货款"],
                terms: &["{B}为{A}办理退货，退还货款{PAY}。"],
                claim: &["修了三次都修不好，要求退货。"],
                reply: &["可以再修一次，修不好再换。"],
            },
        ],
    },
    TypeSpec {
        t: DisputeType::Medical,
        weight: 20,
        unit_share: 1.0,
        units: &["{T}卫生院", "{CITY}{X}医院"],
        scenarios: &[Scenario {
            subject: "医疗损害责任",
            amount: (20_000, 300_000),
            background: &["{A}之父于{M}因腹痛到{B}就诊。"],
            cause: &["{A}认为{B}延误诊断，导致其父病情加重转院手术，多花费医疗费{AMT}。"],
            extra: &["家属一度在医院聚集，情绪激动。"],
            status: &["经卫健部门引导，双方同意由医疗纠纷人民调解委员会调解。"],
            requests: &["{B}赔偿医疗费、护理费、误工费等损失"],
            terms: &["{B}一次性补偿{A}家属各项损失{PAY}。", "{A}及家属不再就此事到医院聚集、上访。"],
            claim: &["医生没有及时诊断，耽误了治疗。"],
            reply: &["诊疗符合规范，但出于人道愿意给予适当补偿。"],
        }],
    },
    TypeSpec {
        t: DisputeType::TrafficAccident,
        weight: 60,
        unit_share: 0.15,
        units: &["{CITY}{X}物流有限公司"],
        scenarios: &[Scenario {
            subject: "道路交通事故损害赔偿",
            amount: (5_000, 300_000),
            background: &["{M}，{B}驾驶机动车行经{T}{ROAD}时，与{A}驾驶的电动自行车发生碰撞。"],
            cause: &["事故造成{A}受伤、车辆受损，经交警部门认定{B}负事故主要责任、{A}负次要责任。"],
            extra: &["{A}住院治疗{N}0天，医疗费等各项损失共计{AMT}。"],
            status: &["交警部门组织调解后，移送调委会继续调解赔偿事宜。"],
            requests: &["{B}赔偿医疗费、误工费、护理费、车辆损失等"],
            terms: &["{B}及其车辆承保的保险公司在保险限额内赔偿{A}各项损失共计{PAY}。", "{B}已垫付的医疗费从赔偿款中扣除。"],
            claim: &["被撞得住了院，误工损失也很大。"],
            reply: &["我有保险，按保险公司核定的数额赔。"],
        }],
    },
    TypeSpec {
        t: DisputeType::PropertyManagement,
        weight: 30,
        unit_share: 0.8,
        units: &["{CITY}{X}物业服务有限公司"],
        scenarios: &[Scenario {
            subject: "物业服务合同",
            amount: (2_000, 20_000),
            background: &["{A}系{T}某小区业主，该小区由{B}提供物业服务。"],
            cause: &[
                "{A}家楼上管道破裂漏水，导致{A}家天花板和木地板受损，{A}认为物业未及时处理。",
                "{A}以物业服务不到位、小区停车管理混乱为由，拒交物业费{N}年。",
            ],
            extra: &["{A}主张损失约{AMT}。"],
            status: &["双方协商未果，社区将纠纷转交调委会调解。"],
            requests: &["赔偿损失", "改进物业服务"],
            terms: &["{B}于{DUE}前完成管道维修并承担{A}室内维修费用{PAY}。", "{A}于本协议签订后补交所欠物业费。"],
            claim: &["漏水报修了好几次都没人来。"],
            reply: &["漏水是业主自家管道的问题，但可以协助维修。"],
        }],
    },
    TypeSpec {
        t: DisputeType::Other,
        weight: 30,
        unit_share: 0.3,
        units: &["{V}{RES}委员会"],
        scenarios: &[
            Scenario {
                subject: "集体收益分配",
                amount: (3_000, 30_000),
                background: &["{A}系{V}{RES}，{V}年底分配集体经济收益。"],
                cause: &["{A}认为分配时未将其户内新增人口计入名单，少分{AMT}，多次找村里理论未果。"],
                extra: &[],
                status: &["{A}向调委会申请调解。"],
                requests: &["将其家庭成员纳入收益分配"],
                terms: &["{B}按村集体收益分配方案补发{A}家庭分配款{PAY}。"],
                claim: &["同样是村里人，凭什么不分给我们家。"],
                reply: &["分配方案经村民代表大会通过，可以复核。"],
            },
            Scenario {
                subject: "祖坟修缮",
                amount: (0, 0),
                background: &["{A}与{B}两家祖坟相邻，位于{V}后山。"],
                cause: &["清明节前{B}修缮祖坟时扩大了坟地范围，{A}认为侵占了自家坟地，双方发生争吵。"],
                extra: &[],
                status: &["为避免清明期间矛盾激化，调委会及时介入调解。"],
                requests: &["{B}恢复坟地原有范围"],
                terms: &["{B}于{DUE}前拆除扩建部分，恢复坟地原有范围。", "双方今后修缮坟地应事先告知对方。"],
                claim: &["他家修坟占了我家的地方。"],
                reply: &["只是修整了一下，没有多占。"],
            },
        ],
    },
];

/// Fills the placeholders of a template.
pub fn fill(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match vars(key) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_spec_and_amounts_match_the_templates() {
        for t in DisputeType::ALL {
            let s = spec(*t);
            assert!(!s.scenarios.is_empty());
            for sc in s.scenarios {
                let all = [sc.background, sc.cause, sc.extra, sc.status, sc.requests, sc.terms].concat();
                let uses_amount = all.iter().any(|t| t.contains("{AMT}") || t.contains("{PAY}") || t.contains("{HALF}"));
                assert_eq!(uses_amount, sc.amount.1 > 0, "{}", sc.subject);
                assert!(!sc.background.is_empty() && !sc.cause.is_empty() && !sc.status.is_empty());
                assert!(!sc.requests.is_empty() && !sc.terms.is_empty() && !sc.claim.is_empty() && !sc.reply.is_empty());
                if s.unit_share > 0.0 {
                    assert!(!s.units.is_empty());
                }
            }
        }
    }

    #[test]
    fn fill_replaces_known_keys() {
        let v = |k: &str| (k == "A").then(|| "张伟".to_string());
        assert_eq!(fill("{A}与{B}纠纷", &v), "张伟与{B}纠纷");
    }
}
