fn main() {
    servicetitan_codegen::build::domain("tenant-memberships-v2");
}
