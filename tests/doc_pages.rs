//! The documentation stays whole: every page with Rust code is compiled as a doctest of the
//! facade, and every relative link between the pages points at a file that exists.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README, `docs/*.md` and every crate's and `bench/`'s README.
fn pages() -> Vec<PathBuf> {
    let root = root();
    let mut pages = vec![root.join("README.md"), root.join("bench/README.md")];
    for dir in ["docs", "crates"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if dir == "docs" && path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            } else if path.join("README.md").is_file() {
                pages.push(path.join("README.md"));
            }
        }
    }
    pages.sort();
    pages
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_page_with_rust_code_is_a_doctest() {
    let lib = std::fs::read_to_string(root().join("crates/servicetitan/src/lib.rs")).unwrap();
    let missing: Vec<String> = pages()
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("```rust"))
        .map(|p| relative(&p))
        .filter(|rel| {
            // lib.rs names pages relative to crates/servicetitan/src.
            let tail = rel.strip_prefix("crates/").unwrap_or(rel);
            !lib.contains(&format!("/{tail}\""))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "pages with Rust code not compiled as doctests (add them to `doc_pages` in crates/servicetitan/src/lib.rs): {missing:?}"
    );
}

#[test]
fn relative_links_point_at_files() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (_, rest) in text.match_indices("](").map(|(i, _)| ((), &text[i + 2..])) {
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with('#') || target.contains(' ') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            if !page.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {target}", relative(&page)));
            }
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:?}");
}
