fn main() {
    servicetitan_codegen::build::domain("tenant-forms-v2");
}
