fn main() {
    servicetitan_codegen::build::domain("tenant-fleet-pro-v2");
}
