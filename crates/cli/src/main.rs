fn main() {
    println!("{}", servicetitan_cli::table::MODULES.len());
}
