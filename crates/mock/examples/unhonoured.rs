//! Prints the README's table of list filters the mock cannot honour (regenerate it with
//! `cargo run -p servicetitan-mock --example unhonoured`; a test checks the README matches).

fn main() {
    println!("| module | operation | parameter |");
    println!("|---|---|---|");
    for (m, op, p) in servicetitan_mock::serve::filters::unhonoured() {
        println!("| {m} | {op} | `{p}` |");
    }
}
