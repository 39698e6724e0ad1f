fn main() {
    servicetitan_codegen::build::domain("tenant-marketing-v2");
}
