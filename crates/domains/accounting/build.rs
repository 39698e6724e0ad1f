fn main() {
    servicetitan_codegen::build::domain("tenant-accounting-v2");
}
