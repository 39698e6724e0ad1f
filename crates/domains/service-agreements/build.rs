fn main() {
    servicetitan_codegen::build::domain("tenant-service-agreements-v2");
}
