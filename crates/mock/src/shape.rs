//! JSON schemas compiled once into [`Shape`]s: what the generator walks for every record, with
//! `$ref`s resolved to indices and property names turned into [`Hint`]s ahead of time, so that
//! writing 5,000 records does no string matching on schema keywords.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// A compiled schema.
#[derive(Clone, Debug)]
pub enum Shape {
    /// An object with known properties (and possibly a map of further ones).
    Object(Box<ObjectShape>),
    /// An array.
    Array {
        /// The items' shape.
        items: Box<Shape>,
        /// `minItems`.
        min: usize,
        /// `maxItems`, capped so generated arrays stay small.
        max: usize,
    },
    /// A string.
    Str(StrShape),
    /// An integer.
    Int {
        /// `enum` values, if any.
        values: Vec<i64>,
        /// `minimum`.
        min: Option<i64>,
        /// `maximum`.
        max: Option<i64>,
    },
    /// A number (`decimal`, `double`, `float`).
    Num {
        /// `minimum`.
        min: Option<f64>,
        /// `maximum`.
        max: Option<f64>,
    },
    /// A boolean.
    Bool,
    /// Always `null`.
    Null,
    /// Any value (`{}`).
    Any,
    /// The inner shape or `null`.
    Nullable(Box<Shape>),
    /// A component schema, by index in [`Schemas`].
    Ref(usize),
}

/// A string's format and constraints.
#[derive(Clone, Debug)]
pub struct StrShape {
    /// What the string holds.
    pub format: StrFormat,
    /// `enum` values, if any.
    pub values: Vec<String>,
    /// `minLength`.
    pub min_len: usize,
    /// `maxLength`.
    pub max_len: Option<usize>,
}

/// String formats the generator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrFormat {
    /// Free text (the property name decides what kind).
    Plain,
    /// RFC 3339 date-time.
    DateTime,
    /// `YYYY-MM-DD`.
    Date,
    /// A GUID.
    Guid,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// HTML text.
    Html,
    /// Several lines of text.
    Multiline,
    /// .NET `TimeSpan` (`01:30:00`).
    Duration,
    /// A masked secret.
    Password,
    /// A URI.
    Uri,
}

/// An object's properties.
#[derive(Clone, Debug)]
pub struct ObjectShape {
    /// Properties in spec order.
    pub props: Vec<Prop>,
    /// `additionalProperties` shape, for dictionaries.
    pub additional: Option<Shape>,
}

/// One property.
#[derive(Clone, Debug)]
pub struct Prop {
    /// The JSON key.
    pub name: String,
    /// Hash of the lower-cased name: the same field gets the same value in every schema.
    pub name_hash: u64,
    /// What the name says the value is.
    pub hint: Hint,
    /// Its shape.
    pub shape: Shape,
    /// Whether the schema lists it in `required`.
    pub required: bool,
}

/// What a property name says about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Hint {
    Id,
    ForeignId,
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Street,
    Unit,
    City,
    State,
    Zip,
    Country,
    Latitude,
    Longitude,
    Text,
    Number,
    Code,
    Url,
    Color,
    Active,
    CreatedOn,
    ModifiedOn,
    Money,
    Percent,
    Count,
    Status,
    Priority,
    None,
}

/// The compiled component schemas of one module.
#[derive(Debug, Default)]
pub struct Schemas {
    shapes: Vec<Shape>,
    index: HashMap<String, usize>,
}

impl Schemas {
    /// Compiles every component schema of a module.
    pub fn compile(components: &Map<String, Value>) -> Schemas {
        let index: HashMap<String, usize> = components
            .keys()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let compiler = Compiler {
            components,
            index: &index,
        };
        let shapes = components.values().map(|s| compiler.shape(s, 0)).collect();
        Schemas { shapes, index }
    }

    /// Compiles a schema that may refer to the module's components.
    pub fn compile_inline(&self, components: &Map<String, Value>, schema: &Value) -> Shape {
        Compiler {
            components,
            index: &self.index,
        }
        .shape(schema, 0)
    }

    /// The shape behind a [`Shape::Ref`].
    pub fn get(&self, index: usize) -> &Shape {
        &self.shapes[index]
    }

    /// Follows references (and `Nullable`) down to a concrete shape.
    pub fn resolve<'a>(&'a self, mut shape: &'a Shape) -> &'a Shape {
        for _ in 0..16 {
            match shape {
                Shape::Ref(i) => shape = self.get(*i),
                Shape::Nullable(inner) => shape = inner,
                _ => return shape,
            }
        }
        shape
    }

    /// The object behind a shape, if it is one.
    pub fn object<'a>(&'a self, shape: &'a Shape) -> Option<&'a ObjectShape> {
        match self.resolve(shape) {
            Shape::Object(o) => Some(o),
            _ => None,
        }
    }
}

struct Compiler<'a> {
    components: &'a Map<String, Value>,
    index: &'a HashMap<String, usize>,
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

impl Compiler<'_> {
    fn shape(&self, s: &Value, depth: usize) -> Shape {
        if depth > 64 {
            return Shape::Any;
        }
        if let Some(name) = ref_name(s) {
            return match self.index.get(name) {
                Some(i) => Shape::Ref(*i),
                None => Shape::Any,
            };
        }
        if let Some(list) = s.get("allOf").and_then(Value::as_array) {
            if list.len() == 1 && s.get("properties").is_none() {
                return self.shape(&list[0], depth + 1);
            }
            return self.shape(&self.merge_all_of(s, list), depth + 1);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(list) = s.get(key).and_then(Value::as_array) {
                let nullable = list.iter().any(is_null_schema);
                let Some(first) = list.iter().find(|v| !is_null_schema(v)) else {
                    return Shape::Null;
                };
                let inner = self.shape(first, depth + 1);
                return if nullable {
                    Shape::Nullable(Box::new(inner))
                } else {
                    inner
                };
            }
        }
        match s.get("type") {
            Some(Value::Array(types)) => {
                let nullable = types.iter().any(|t| t == "null");
                let first = types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null");
                let inner = match first {
                    Some(t) => self.typed(s, t, depth),
                    None => Shape::Null,
                };
                if nullable {
                    Shape::Nullable(Box::new(inner))
                } else {
                    inner
                }
            }
            Some(Value::String(t)) => self.typed(s, t, depth),
            _ if s.get("properties").is_some() => self.typed(s, "object", depth),
            _ if s.get("enum").is_some() => self.typed(s, "string", depth),
            _ => Shape::Any,
        }
    }

    /// `allOf` of several parts: one object with every part's properties and requirements.
    fn merge_all_of(&self, s: &Value, list: &[Value]) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut parts: Vec<&Value> = list.iter().collect();
        parts.push(s);
        let mut guard = 0;
        while let Some(part) = parts.pop() {
            guard += 1;
            if guard > 64 {
                break;
            }
            let part = match ref_name(part).and_then(|n| self.components.get(n)) {
                Some(target) => target,
                None => part,
            };
            if let Some(sub) = part.get("allOf").and_then(Value::as_array) {
                parts.extend(sub.iter());
            }
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    props.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                required.extend(r.iter().cloned());
            }
        }
        serde_json::json!({"type": "object", "properties": props, "required": required})
    }

    fn typed(&self, s: &Value, t: &str, depth: usize) -> Shape {
        let int = |k: &str| s.get(k).and_then(Value::as_i64);
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        match t {
            "object" => self.object(s, depth),
            "array" => Shape::Array {
                items: Box::new(
                    s.get("items")
                        .map_or(Shape::Any, |i| self.shape(i, depth + 1)),
                ),
                min: int("minItems").unwrap_or(0).max(0) as usize,
                max: int("maxItems").map_or(2, |m| m.clamp(0, 2) as usize),
            },
            "string" => Shape::Str(StrShape {
                format: str_format(s.get("format").and_then(Value::as_str)),
                values: enum_strings(s),
                min_len: int("minLength").unwrap_or(0).max(0) as usize,
                max_len: int("maxLength").map(|m| m.max(0) as usize),
            }),
            "integer" => Shape::Int {
                values: s
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default(),
                min: int("minimum"),
                max: int("maximum"),
            },
            "number" => Shape::Num {
                min: num("minimum"),
                max: num("maximum"),
            },
            "boolean" => Shape::Bool,
            "null" => Shape::Null,
            _ => Shape::Any,
        }
    }

    fn object(&self, s: &Value, depth: usize) -> Shape {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, schema)| Prop {
                name: name.clone(),
                name_hash: crate::fake::hash_str(&name.to_ascii_lowercase()),
                hint: hint_for(name),
                shape: self.shape(schema, depth + 1),
                required: required.contains(&name.as_str()),
            })
            .collect();
        let additional = match s.get("additionalProperties") {
            Some(Value::Object(o)) if !o.is_empty() => {
                Some(self.shape(&Value::Object(o.clone()), depth + 1))
            }
            _ => None,
        };
        Shape::Object(Box::new(ObjectShape { props, additional }))
    }
}

fn enum_strings(s: &Value) -> Vec<String> {
    let from_enum = s.get("enum").and_then(Value::as_array).map(|v| {
        v.iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    });
    let from_const = s
        .get("const")
        .and_then(Value::as_str)
        .map(|c| vec![c.to_string()]);
    from_enum.or(from_const).unwrap_or_default()
}

fn str_format(format: Option<&str>) -> StrFormat {
    match format {
        Some("date-time") => StrFormat::DateTime,
        Some("date") => StrFormat::Date,
        Some("guid" | "uuid") => StrFormat::Guid,
        Some("email") => StrFormat::Email,
        Some("phone") => StrFormat::Phone,
        Some("html") => StrFormat::Html,
        Some("multiline") => StrFormat::Multiline,
        Some("duration" | "time-span") => StrFormat::Duration,
        Some("password") => StrFormat::Password,
        Some("uri" | "url") => StrFormat::Uri,
        _ => StrFormat::Plain,
    }
}

/// What a property's name says about its value (checked once, at compile time).
pub fn hint_for(name: &str) -> Hint {
    let n = name.to_ascii_lowercase();
    let ends = |s: &str| n.ends_with(s);
    match n.as_str() {
        "id" => Hint::Id,
        "active" | "isactive" => Hint::Active,
        "createdon" => Hint::CreatedOn,
        "modifiedon" => Hint::ModifiedOn,
        "firstname" => Hint::FirstName,
        "lastname" => Hint::LastName,
        "street" | "address" | "address1" | "streetaddress" => Hint::Street,
        "unit" | "address2" => Hint::Unit,
        "city" => Hint::City,
        "state" | "province" => Hint::State,
        "zip" | "zipcode" | "postalcode" => Hint::Zip,
        "country" => Hint::Country,
        "latitude" | "lat" => Hint::Latitude,
        "longitude" | "lng" | "lon" => Hint::Longitude,
        "color" => Hint::Color,
        _ if ends("email") => Hint::Email,
        _ if ends("phone") || ends("phonenumber") => Hint::Phone,
        "priority" => Hint::Priority,
        _ if ends("status") => Hint::Status,
        _ if (ends("id") || ends("ids")) && !ends("guid") && n.len() > 2 => Hint::ForeignId,
        _ if ends("name") => Hint::Name,
        _ if ends("url") || ends("uri") || ends("link") => Hint::Url,
        _ if ends("number") => Hint::Number,
        _ if ends("code") => Hint::Code,
        _ if ends("percent") || ends("percentage") || ends("rate") => Hint::Percent,
        _ if ends("count") || ends("quantity") || ends("hours") || ends("duration") => Hint::Count,
        _ if ends("total")
            || ends("amount")
            || ends("price")
            || ends("cost")
            || ends("balance")
            || ends("tax")
            || ends("subtotal")
            || ends("value") =>
        {
            Hint::Money
        }
        _ if ends("summary")
            || ends("description")
            || ends("notes")
            || ends("note")
            || ends("memo")
            || ends("text")
            || ends("comment") =>
        {
            Hint::Text
        }
        _ => Hint::None,
    }
}
