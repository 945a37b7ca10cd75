#![forbid(unsafe_code)]

fn main() {
    std::process::exit(deltaseal::adapters::cli::run());
}
