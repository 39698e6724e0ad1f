fn main() {
    servicetitan_codegen::build::domain("tenant-telecom");
}
