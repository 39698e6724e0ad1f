fn main() {
    servicetitan_codegen::build::domain("tenant-findings-v2");
}
