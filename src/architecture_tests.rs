//! The structure rules, checked on the sources so they stay true (README "Architecture"):
//! dependencies point one way (`ui → app → protocol ← engine → store`), and no function
//! grows past what one person can hold in their head.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each layer may import from the rest of the crate (`crate::<module>`); a layer may
/// always import itself. Modules not listed (main's helpers: `cli`, `config`, `event_loop`,
/// `tui`, `logging`, and the sim-demo `demo` and `perf`) wire the layers together.
const ALLOWED: &[(&str, &[&str])] = &[
    ("keyed_list", &[]),
    ("paths", &[]),
    ("heap", &[]),
    ("crash", &[]),
    ("data_lock", &["paths"]),
    ("domain", &["keyed_list"]),
    ("ops", &["domain"]),
    ("group_tree", &["domain"]),
    ("protocol", &["domain", "ops"]),
    ("store", &["domain", "ops", "protocol", "paths"]),
    (
        "engine",
        &[
            "domain",
            "ops",
            "protocol",
            "store",
            "paths",
            "keyed_list",
            "group_tree",
            "heap",
            "crash",
        ],
    ),
    (
        "app",
        &["domain", "ops", "protocol", "keyed_list", "group_tree"],
    ),
    ("ui", &["app", "domain", "ops", "protocol", "group_tree"]),
    // The simulator stands alone: it is WhatsApp's side of the wire.
    ("sim", &[]),
];

/// Parts of `app` the view must not reach into: it reads the state and its selectors only.
const UI_FORBIDDEN_PATHS: &[&str] = &["crate::app::update", "crate::app::msg"];

/// Longest function allowed in `src/`, in lines from `fn` to its closing brace.
const MAX_FN_LINES: usize = 120;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/engine/session.rs` and `src/engine.rs` are
/// both `engine`.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src_dir()).unwrap_or(file);
    let first = rel.components().next().map_or_else(String::new, |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_string()
}

/// Source text without comments, strings and char literals, line by line (so braces and
/// `crate::` inside them do not count). Good enough for this crate's code, not a Rust lexer.
fn code_lines(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![String::new()];
    let mut i = 0;
    let push = |out: &mut Vec<String>, c: char| {
        if c == '\n' {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    push(&mut out, '\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_start(&chars, i) {
            i = skip_raw_string(&chars, i, &mut out);
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    push(&mut out, '\n');
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && char_literal_len(&chars, i) > 0 {
            i += char_literal_len(&chars, i);
        } else {
            push(&mut out, c);
            i += 1;
        }
    }
    out
}

/// `r"…"` or `r#"…"#` starts here (not an identifier ending in r).
fn raw_start(chars: &[char], i: usize) -> bool {
    let ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    !ident_before && chars.get(j) == Some(&'"')
}

fn skip_raw_string(chars: &[char], start: usize, out: &mut Vec<String>) -> usize {
    let mut i = start + 1;
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    i += 1;
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        if chars[i] == '\n' {
            out.push(String::new());
        }
        i += 1;
    }
    i
}

/// Length of a char literal at `i` (`'a'`, `'\n'`, `'\u{1F600}'`), 0 for a lifetime.
fn char_literal_len(chars: &[char], i: usize) -> usize {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => (i + 3..chars.len().min(i + 12))
            .find(|&j| chars[j] == '\'')
            .map_or(0, |j| j - i + 1),
        (Some(_), Some('\'')) => 3,
        _ => 0,
    }
}

/// Every `crate::<module>` a file names, including each of `use crate::{a, b::c}`.
fn crate_imports(lines: &[String]) -> BTreeSet<String> {
    let code = lines.join("\n");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            found.extend(inner.split(',').filter_map(first_ident));
        } else if let Some(name) = first_ident(rest) {
            found.insert(name);
        }
    }
    found
}

fn first_ident(s: &str) -> Option<String> {
    let name: String = s
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

#[test]
fn dependencies_point_one_way() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let module = module_of(file);
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == module) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let lines = code_lines(&text);
        for import in crate_imports(&lines) {
            if import != module && !allowed.contains(&import.as_str()) {
                broken.push(format!(
                    "{}: {module} imports crate::{import}",
                    file.display()
                ));
            }
        }
        if module == "ui" {
            let code = lines.join("\n");
            for path in UI_FORBIDDEN_PATHS.iter().filter(|p| code.contains(**p)) {
                broken.push(format!("{}: the view uses {path}", file.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layer rule:\n{}",
        broken.join("\n")
    );
}

/// Functions in `text` as (name, first line, lines): from `fn` to its closing brace.
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let lines = code_lines(text);
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let mut depth = 0usize;
        let mut opened = false;
        'scan: for (offset, l) in lines[start..].iter().enumerate() {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth = depth.saturating_sub(1),
                    // A declaration without a body (trait method).
                    ';' if !opened => break 'scan,
                    _ => {}
                }
                if opened && depth == 0 {
                    out.push((name.clone(), start + 1, offset + 1));
                    break 'scan;
                }
            }
        }
    }
    out
}

/// The name if the line starts a function (`pub(crate) async fn name`).
fn fn_name(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "fn")?;
    let prefix_ok = words[..at].iter().all(|w| {
        w.starts_with("pub") || matches!(*w, "async" | "const" | "unsafe" | "extern" | "\"C\"")
    });
    let name = words.get(at + 1)?;
    let name: String = name
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (prefix_ok && !name.is_empty()).then_some(name)
}

#[test]
fn no_function_is_longer_than_a_screen_or_two() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (name, line, len) in function_lengths(&text) {
            if len > MAX_FN_LINES {
                long.push(format!("{}:{line} {name}: {len} lines", file.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    let text = "use crate::{app::state, store};\n// crate::ui in a comment\nlet s = \"crate::sim\";\n\
                fn short() {\n    let c = '{';\n}\n";
    let imports = crate_imports(&code_lines(text));
    assert_eq!(imports.into_iter().collect::<Vec<_>>(), ["app", "store"]);
    assert_eq!(function_lengths(text), [("short".to_string(), 4, 3)]);
}
