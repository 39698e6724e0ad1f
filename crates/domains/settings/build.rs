fn main() {
    servicetitan_codegen::build::domain("tenant-settings-v2");
}
