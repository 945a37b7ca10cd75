#![forbid(unsafe_code)]

fn main() {
    deltaseal::adapters::cli::end_quietly_on_closed_stdout();
    std::process::exit(deltaseal::adapters::cli::run());
}
