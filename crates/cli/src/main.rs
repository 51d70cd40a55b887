//! fengqiao-cli: parse, run, exit code. Everything else is in the library.

fn main() {
    std::process::exit(fengqiao_cli::main_entry(std::env::args_os()));
}
