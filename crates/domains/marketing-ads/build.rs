fn main() {
    servicetitan_codegen::build::domain("tenant-marketing-ads-v2");
}
