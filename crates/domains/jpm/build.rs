fn main() {
    servicetitan_codegen::build::domain("tenant-jpm-v2");
}
