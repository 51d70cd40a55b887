// Generated from Rust by fengqiao-app (FENGQIAO_WRITE_BINDINGS=1 cargo test -p fengqiao-app --features ts --test bindings). Do not edit.

import type { Organization } from "./Organization";
import type { Mediator } from "./Mediator";
import type { Person } from "./Person";
import type { LegalEntity } from "./LegalEntity";
import type { DisputeCase } from "./DisputeCase";
import type { CaseParty } from "./CaseParty";
import type { InvestigationRecord } from "./InvestigationRecord";
import type { MediationSession } from "./MediationSession";
import type { Agreement } from "./Agreement";
import type { ReturnVisit } from "./ReturnVisit";
import type { ScreeningRound } from "./ScreeningRound";
import type { ScreeningItem } from "./ScreeningItem";
import type { FieldVisit } from "./FieldVisit";
import type { ReleasedPerson } from "./ReleasedPerson";
import type { HelpGroup } from "./HelpGroup";
import type { HelpVisit } from "./HelpVisit";
import type { AssessmentChange } from "./AssessmentChange";
import type { HandoverEvent } from "./HandoverEvent";

/** A new Organization, as Rust's `Default` makes it. */
export const blankOrganization = (): Organization => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "name": null,
  "org_type": null,
  "committee_type": null,
  "division_code": null,
  "number_prefix": null,
  "parent_id": null
});

/** A new Mediator, as Rust's `Default` makes it. */
export const blankMediator = (): Mediator => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "name": null,
  "gender": null,
  "id_number": null,
  "phone": null,
  "committee_id": null,
  "role": null,
  "full_time": false
});

/** A new Person, as Rust's `Default` makes it. */
export const blankPerson = (): Person => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "name": null,
  "alias": null,
  "id_type": null,
  "id_number": null,
  "gender": null,
  "birth_date": null,
  "ethnicity": null,
  "education": null,
  "marital_status": null,
  "occupation": null,
  "phone": null,
  "hukou_division_code": null,
  "hukou_address": null,
  "residence_division_code": null,
  "residence_address": null,
  "population_type": null,
  "note": null
});

/** A new LegalEntity, as Rust's `Default` makes it. */
export const blankLegalEntity = (): LegalEntity => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "name": null,
  "uscc": null,
  "legal_rep": null,
  "address": null,
  "phone": null
});

/** A new DisputeCase, as Rust's `Default` makes it. */
export const blankDisputeCase = (): DisputeCase => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_no": null,
  "committee_id": null,
  "accepted_on": null,
  "applied_on": null,
  "source": null,
  "referral_type": null,
  "referral_org": null,
  "dispute_type": null,
  "title": null,
  "summary": null,
  "requests": [],
  "occurred_on": null,
  "occurred_place": null,
  "party_count": 0,
  "amount_cents": null,
  "is_difficult": false,
  "is_group": false,
  "escalation_risk": null,
  "escalation_reported_to": null,
  "escalation_reported_on": null,
  "lead_mediator_id": null,
  "mediator_ids": [],
  "mediator_chosen_by_party": false,
  "status": "draft",
  "status_reason": null,
  "result": null,
  "agreement_form": null,
  "closed_on": null,
  "failure_reason": null,
  "alternatives_told": [],
  "prevented": {
    "suicide": {
      "cases": 0,
      "persons": 0
    },
    "criminal": {
      "cases": 0,
      "persons": 0
    },
    "group_petition": {
      "cases": 0,
      "persons": 0
    },
    "group_fight": {
      "cases": 0,
      "persons": 0
    }
  },
  "extension_consent": false,
  "extension_consent_on": null,
  "screening_item_id": null,
  "archived_on": null,
  "archived_by": null,
  "retention": null,
  "page_count": null,
  "volume_name": null
});

/** A new CaseParty, as Rust's `Default` makes it. */
export const blankCaseParty = (): CaseParty => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_id": null,
  "person_id": null,
  "entity_id": null,
  "role": null,
  "side": null,
  "agent_person_id": null,
  "agent_authority": null,
  "rights_notice_given_on": null,
  "id_copy_attached": false
});

/** A new InvestigationRecord, as Rust's `Default` makes it. */
export const blankInvestigationRecord = (): InvestigationRecord => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_id": null,
  "started_at": null,
  "ended_at": null,
  "place": null,
  "interviewee_person_id": null,
  "interviewee_relation": null,
  "attendees": null,
  "investigator_ids": [],
  "recorder_id": null,
  "content": null,
  "read_back": false,
  "signed_by_interviewee": null,
  "refusal_reason": null
});

/** A new MediationSession, as Rust's `Default` makes it. */
export const blankMediationSession = (): MediationSession => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_id": null,
  "seq": null,
  "held_at": null,
  "place": null,
  "subject": null,
  "present_party_ids": [],
  "invitees": [],
  "mediator_ids": [],
  "recorder_id": null,
  "rights_notice_given": false,
  "public": false,
  "content": null,
  "session_outcome": null,
  "signatures": []
});

/** A new Agreement, as Rust's `Default` makes it. */
export const blankAgreement = (): Agreement => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_id": null,
  "form": null,
  "agreement_no": null,
  "facts": null,
  "terms": [],
  "performance_method": null,
  "performance_due_on": null,
  "copies": null,
  "signed_on": null,
  "signature_checklist": {
    "parties": [],
    "mediator_signed": false,
    "seal_applied": false
  },
  "oral_registered_on": null,
  "registrar_id": null,
  "performance_status": null,
  "jc_status": null,
  "jc_applied_on": null,
  "jc_court": null,
  "jc_case_no": null,
  "jc_result": null,
  "supersedes_agreement_id": null
});

/** A new ReturnVisit, as Rust's `Default` makes it. */
export const blankReturnVisit = (): ReturnVisit => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "case_id": null,
  "agreement_no": null,
  "visited_person_id": null,
  "reason": null,
  "visited_at": null,
  "method": null,
  "content": null,
  "performance_status_observed": null,
  "satisfaction": null,
  "risk_found": false,
  "measures": null,
  "visitor_ids": []
});

/** A new ScreeningRound, as Rust's `Default` makes it. */
export const blankScreeningRound = (): ScreeningRound => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "unit_org_id": null,
  "unit_division_code": null,
  "unit_name": null,
  "period_type": null,
  "period_start": null,
  "period_end": null,
  "screened_on": null,
  "screener_ids": [],
  "screener_names": [],
  "method": [],
  "found_count": 0,
  "zero_report": false,
  "statement": null,
  "approved_by": null,
  "approved_on": null,
  "submitted_to": null,
  "submitted_on": null
});

/** A new ScreeningItem, as Rust's `Default` makes it. */
export const blankScreeningItem = (): ScreeningItem => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "round_id": null,
  "found_on": null,
  "place": null,
  "party_summary": null,
  "party_person_ids": [],
  "dispute_type": null,
  "people_involved": null,
  "summary": null,
  "risk_level": null,
  "disposition": null,
  "responsible_person": null,
  "deadline": null,
  "status": null,
  "resolved_on": null,
  "case_id": null
});

/** A new FieldVisit, as Rust's `Default` makes it. */
export const blankFieldVisit = (): FieldVisit => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "subject_type": null,
  "subject_id": null,
  "subject_name": null,
  "visited_at": null,
  "place": null,
  "visitor_ids": [],
  "method": null,
  "content": null,
  "findings": null,
  "follow_up": null,
  "anomaly": false
});

/** A new ReleasedPerson, as Rust's `Default` makes it. */
export const blankReleasedPerson = (): ReleasedPerson => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "person_id": null,
  "is_recidivist": null,
  "crime_name": null,
  "crime_category": null,
  "sentence_term": null,
  "sentence_months": null,
  "supplementary_penalty": null,
  "prison_name": null,
  "prison_type": null,
  "released_on": null,
  "release_type": null,
  "assessment_type": null,
  "notice_received_on": null,
  "notice_from": null,
  "receipt_returned_on": null,
  "handover_on": null,
  "handover_method": null,
  "handover_status": null,
  "handover_fail_reason": null,
  "must_escort": null,
  "police_registration_on": null,
  "resettled_on": null,
  "resettlement_method": null,
  "unresettled_reason": null,
  "assistance": [],
  "help_period_start": null,
  "help_period_end": null,
  "help_status": null,
  "help_summary": null,
  "help_released_on": null,
  "police_key_control": false,
  "dual_registration": false,
  "registered_division_codes": [],
  "reoffended": null,
  "reoffense_crime": null,
  "reoffense_on": null,
  "flags": []
});

/** A new HelpGroup, as Rust's `Default` makes it. */
export const blankHelpGroup = (): HelpGroup => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "released_person_id": null,
  "formed_on": null,
  "agreement_signed_on": null,
  "members": []
});

/** A new HelpVisit, as Rust's `Default` makes it. */
export const blankHelpVisit = (): HelpVisit => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "released_person_id": null,
  "visited_at": null,
  "place": null,
  "visitor_ids": [],
  "visitor_names": [],
  "visit_type": null,
  "topics": [],
  "content": null,
  "problems": null,
  "help_given": null,
  "next_plan_on": null,
  "anomaly": false,
  "anomaly_note": null
});

/** A new AssessmentChange, as Rust's `Default` makes it. */
export const blankAssessmentChange = (): AssessmentChange => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "released_person_id": null,
  "from": null,
  "to": null,
  "changed_on": null,
  "reason": null,
  "approved_by": null
});

/** A new HandoverEvent, as Rust's `Default` makes it. */
export const blankHandoverEvent = (): HandoverEvent => ({
  "id": "00000000-0000-0000-0000-000000000000",
  "org_id": "00000000-0000-0000-0000-000000000000",
  "created_at": "1970-01-01T00:00:00Z",
  "updated_at": "1970-01-01T00:00:00Z",
  "created_by": "",
  "version": 0,
  "deleted": false,
  "draft": false,
  "released_person_id": null,
  "event": null,
  "on": null,
  "by": null,
  "note": null
});
