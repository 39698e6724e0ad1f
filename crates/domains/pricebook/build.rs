fn main() {
    servicetitan_codegen::build::domain("tenant-pricebook-v2");
}
