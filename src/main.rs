#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    spec::cli::main()
}
