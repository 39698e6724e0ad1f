//! A JSON tree that keeps numbers as their text, so decimals compare digit for digit (without
//! serde_json's `arbitrary_precision`, which would change `Value` for the whole workspace).

use serde_json::value::RawValue;
use std::fmt::Write;

/// A JSON value; numbers are kept as written.
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    /// JSON text.
    pub fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => write!(out, "{b}").unwrap(),
            J::Num(n) => out.push_str(n),
            J::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// Parses JSON text, numbers kept as text (through serde_json's raw values).
    pub fn parse(text: &str) -> Result<J, String> {
        let t = text.trim();
        Ok(match t.as_bytes().first() {
            Some(b'{') => {
                let map: Vec<(String, &RawValue)> =
                    serde_json::from_str::<indexmap_free::Entries>(t)
                        .map_err(|e| e.to_string())?
                        .0;
                J::Obj(
                    map.into_iter()
                        .map(|(k, v)| Ok((k, J::parse(v.get())?)))
                        .collect::<Result<_, String>>()?,
                )
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(t).map_err(|e| e.to_string())?;
                J::Arr(
                    items
                        .into_iter()
                        .map(|v| J::parse(v.get()))
                        .collect::<Result<_, _>>()?,
                )
            }
            Some(b'"') => J::Str(serde_json::from_str(t).map_err(|e| e.to_string())?),
            _ if t == "null" => J::Null,
            _ if t == "true" => J::Bool(true),
            _ if t == "false" => J::Bool(false),
            _ => J::Num(t.to_string()),
        })
    }
}

/// An object's entries in order, values raw.
mod indexmap_free {
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    pub struct Entries<'a>(pub Vec<(String, &'a RawValue)>);

    impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
        fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
            struct V<'a>(std::marker::PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Entries<'a>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'a>, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                        out.push((k, v));
                    }
                    Ok(Entries(out))
                }
            }
            de.deserialize_map(V(std::marker::PhantomData))
        }
    }
}
