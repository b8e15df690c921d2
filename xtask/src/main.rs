//! Repository tasks. `cargo run -p xtask -- codegen` writes every Python and TypeScript
//! declaration of the payloads and operations from the one Rust model:
//!
//! - the JSON Schema of each request (deserialize contract: what the core accepts), response and
//!   notification (serialize contract: what the bindings hand out), derived with `schemars` from
//!   the payload structs (feature `schema` of the core), field docs included;
//! - the operation registry `nicepay_snap::for_each_operation!`;
//! - the notifications `verify_and_confirm` confirms (`nicepay_snap_client::Confirmable`).
//!
//! Outputs: `python/src/nicepay_snap/types.py` (TypedDicts, `OPERATION_TYPES`), the named-method
//! regions of `python/src/nicepay_snap/_nicepay_snap.pyi`, `node/payload-types.d.ts` (interfaces
//! and the named methods of `Client`, the header of the napi-generated `index.d.ts`) and
//! `node/__test__/payload-shapes.json` (the run-time shape table of the test suites).
//! `codegen --check` writes nothing and exits 1 when a committed file is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nicepay_snap::api::{ewallet, payout, qris, token, va};
use nicepay_snap::Operation;
use nicepay_snap_client::binding_support::camel_case;
use nicepay_snap_client::Confirmable;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{json, Value};

const GENERATOR: &str = "cargo run -p xtask -- codegen";

/// One registry row.
#[derive(Debug, Clone)]
struct Op {
    product: &'static str,
    method: &'static str,
    label: &'static str,
    request: String,
    response: String,
    money: bool,
    doc: &'static str,
}

/// A notification `verify_and_confirm` knows, with the status query that confirms it.
#[derive(Debug)]
struct Confirmation {
    product: &'static str,
    notification: String,
    status: String,
    query: &'static str,
}

/// A field type, read from the JSON Schema.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Any,
    Str,
    Bool,
    Int,
    Float,
    Null,
    Ref(String),
    List(Box<Self>),
    Map,
    Union(Vec<Self>),
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    key: String,
    ty: Ty,
    required: bool,
    doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Struct {
    doc: String,
    fields: Vec<Field>,
    /// `#[serde(flatten)] extra`: undeclared keys are kept.
    open: bool,
}

fn schema_name(schema: &schemars::Schema) -> String {
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("codegen: a root payload schema is not a $ref: {schema:?}"));
    reference.rsplit('/').next().unwrap_or(reference).to_owned()
}

struct Model {
    ops: Vec<Op>,
    confirmations: Vec<Confirmation>,
    token: (String, String),
    structs: BTreeMap<String, Struct>,
}

macro_rules! collect_ops {
    ([$requests:ident, $responses:ident] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        vec![$($(
            Op {
                product: stringify!($module),
                method: stringify!($method),
                label: $label,
                request: schema_name(&$requests.subschema_for::<nicepay_snap::api::$module::$req>()),
                response: schema_name(&$responses.subschema_for::<nicepay_snap::api::$module::$resp>()),
                money: $money,
                doc: $doc,
            },
        )*)*]
    };
}

fn confirmation<N: Confirmable + schemars::JsonSchema>(
    product: &'static str,
    responses: &mut SchemaGenerator,
) -> Confirmation
where
    <N::Query as Operation>::Response: schemars::JsonSchema,
{
    Confirmation {
        product,
        notification: schema_name(&responses.subschema_for::<N>()),
        status: schema_name(&responses.subschema_for::<<N::Query as Operation>::Response>()),
        query: <N::Query as Operation>::NAME,
    }
}

fn model() -> Model {
    let mut requests = SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let mut responses = SchemaSettings::draft2020_12().for_serialize().into_generator();
    let ops = nicepay_snap::for_each_operation!(collect_ops, requests, responses);
    let token = (
        schema_name(&requests.subschema_for::<token::AccessTokenRequest>()),
        schema_name(&responses.subschema_for::<token::AccessTokenResponse>()),
    );
    let confirmations = vec![
        confirmation::<qris::QrisNotification>("qris", &mut responses),
        confirmation::<va::VaNotification>("va", &mut responses),
        confirmation::<ewallet::EwalletNotification>("ewallet", &mut responses),
        confirmation::<payout::PayoutNotification>("payout", &mut responses),
    ];
    let mut structs = BTreeMap::new();
    for (generator, serialized) in [(&requests, false), (&responses, true)] {
        for (name, schema) in generator.definitions() {
            let parsed = parse_struct(name, schema, serialized);
            if let Some(other) = structs.insert(name.clone(), parsed.clone()) {
                assert_eq!(other, parsed, "codegen: {name} differs between requests and responses");
            }
        }
    }
    Model {
        ops,
        confirmations,
        token,
        structs,
    }
}

/// The first paragraph of a doc comment, on one line.
fn first_paragraph(text: &str) -> String {
    let paragraph = text.split("\n\n").next().unwrap_or("");
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn doc_of(schema: &Value) -> Option<String> {
    let title = schema.get("title").and_then(Value::as_str);
    let description = schema.get("description").and_then(Value::as_str);
    title.or(description).map(first_paragraph).filter(|d| !d.is_empty())
}

fn parse_ty(schema: &Value) -> Ty {
    let Some(object) = schema.as_object() else {
        return Ty::Any;
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        return Ty::Ref(reference.rsplit('/').next().unwrap_or(reference).to_owned());
    }
    if let Some(options) = object
        .get("anyOf")
        .or_else(|| object.get("oneOf"))
        .and_then(Value::as_array)
    {
        return Ty::Union(options.iter().map(parse_ty).collect());
    }
    let simple = |name: &str| match name {
        "string" => Ty::Str,
        "boolean" => Ty::Bool,
        "integer" => Ty::Int,
        "number" => Ty::Float,
        "null" => Ty::Null,
        "object" => Ty::Map,
        "array" => Ty::List(Box::new(object.get("items").map_or(Ty::Any, parse_ty))),
        other => panic!("codegen: no mapping for JSON type {other}"),
    };
    match object.get("type") {
        Some(Value::String(name)) => simple(name),
        Some(Value::Array(names)) => Ty::Union(names.iter().filter_map(Value::as_str).map(simple).collect()),
        _ => Ty::Any,
    }
}

fn without_null(ty: Ty) -> Ty {
    match ty {
        Ty::Union(options) => {
            let mut rest: Vec<Ty> = options.into_iter().filter(|t| *t != Ty::Null).collect();
            if rest.len() == 1 {
                rest.remove(0)
            } else {
                Ty::Union(rest)
            }
        }
        other => other,
    }
}

fn parse_struct(name: &str, schema: &Value, serialized: bool) -> Struct {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("codegen: {name} is not a struct with fields"));
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = properties
        .iter()
        .map(|(key, field)| {
            let is_required = required.contains(key.as_str());
            let mut ty = parse_ty(field);
            // A response key that may be absent is left out by `skip_serializing_if`: it is
            // never `null` when present.
            if serialized && !is_required {
                ty = without_null(ty);
            }
            Field {
                key: key.clone(),
                ty,
                required: is_required,
                doc: doc_of(field),
            }
        })
        .collect();
    Struct {
        doc: doc_of(schema).unwrap_or_default(),
        fields,
        open: schema.get("additionalProperties") == Some(&Value::Bool(true)),
    }
}

impl Model {
    fn refs(&self, ty: &Ty, out: &mut Vec<String>) {
        match ty {
            Ty::Ref(name) => out.push(name.clone()),
            Ty::List(inner) => self.refs(inner, out),
            Ty::Union(options) => options.iter().for_each(|t| self.refs(t, out)),
            _ => {}
        }
    }

    /// `name` and every struct it uses, dependencies first.
    fn visit(&self, name: &str, seen: &mut BTreeSet<String>, out: &mut Vec<String>) {
        if !seen.insert(name.to_owned()) {
            return;
        }
        let mut deps = Vec::new();
        for field in &self.structs[name].fields {
            self.refs(&field.ty, &mut deps);
        }
        for dep in deps {
            self.visit(&dep, seen, out);
        }
        out.push(name.to_owned());
    }

    /// Sections of (title, struct names), each struct after the ones it uses.
    fn sections(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for op in &self.ops {
            let roots = [op.request.clone(), op.response.clone()];
            match groups.iter_mut().find(|(p, _)| p == op.product) {
                Some((_, names)) => names.extend(roots),
                None => groups.push((op.product.to_owned(), roots.to_vec())),
            }
        }
        for c in &self.confirmations {
            if let Some((_, names)) = groups.iter_mut().find(|(p, _)| p == c.product) {
                names.push(c.notification.clone());
            }
        }
        groups.push(("token".into(), vec![self.token.0.clone(), self.token.1.clone()]));
        let orders: Vec<(String, Vec<String>)> = groups
            .into_iter()
            .map(|(product, roots)| {
                let (mut seen, mut order) = (BTreeSet::new(), Vec::new());
                for root in roots {
                    self.visit(&root, &mut seen, &mut order);
                }
                (product, order)
            })
            .collect();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, order) in &orders {
            for name in order {
                *count.entry(name).or_default() += 1;
            }
        }
        let mut shared: Vec<String> = Vec::new();
        for (_, order) in &orders {
            for name in order {
                if count[name.as_str()] > 1 && !shared.contains(name) {
                    shared.push(name.clone());
                }
            }
        }
        let mut sections = vec![("Shared".to_owned(), shared.clone())];
        for (product, order) in orders {
            let title = match product.as_str() {
                "qris" => "QRIS".to_owned(),
                "va" => "Virtual Account".to_owned(),
                "ewallet" => "E-wallet".to_owned(),
                "token" => "Access token".to_owned(),
                other => format!("{}{}", other[..1].to_uppercase(), &other[1..]),
            };
            sections.push((title, order.into_iter().filter(|n| !shared.contains(n)).collect()));
        }
        sections
    }

    fn request_of(&self, name: &str) -> Vec<&Op> {
        self.ops.iter().filter(|o| o.request == name).collect()
    }
}

// ------------------------------------------------------------------------------------------------
// Doc text
// ------------------------------------------------------------------------------------------------

/// Markdown doc text as reStructuredText (` `x` ` → ` ``x`` `, links dropped).
fn rst(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('`') {
            Some(end) => {
                let _ = write!(out, "``{}``", &after[..end]);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    unlink(&out)
}

/// Drops intra-doc link brackets: `[`x`]` → `` `x` ``.
fn unlink(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' && chars.get(i + 1) == Some(&'`') {
            if let Some(close) = (i + 1..chars.len()).find(|&j| chars[j] == ']' && j > 0 && chars[j - 1] == '`') {
                out.extend(&chars[i + 1..close]);
                i = close + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The doc of a named method: the registry's, the operation name, and for a money-moving call
/// how an unknown outcome surfaces, in Python's (reST) or TypeScript's spelling.
fn op_doc(op: &Op, python: bool) -> String {
    let (doc, name, unknown) = if python {
        (
            rst(op.doc),
            format!("``{}``", op.label),
            "an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending",
        )
    } else {
        (unlink(op.doc), format!("`{}`", op.label), "a timeout, dropped connection or 5xx rejects with `ERR_NICEPAY_OUTCOME_UNKNOWN` (with `identifiers` to query), never a silent resend")
    };
    let mut doc = format!("{} ({name}).", doc.trim_end_matches('.'));
    if op.money {
        let _ = write!(doc, " Moves money: {unknown}.");
    }
    doc
}

// ------------------------------------------------------------------------------------------------
// Python
// ------------------------------------------------------------------------------------------------

fn py_ty(ty: &Ty) -> String {
    match ty {
        Ty::Any => "Any".into(),
        Ty::Str => "str".into(),
        Ty::Bool => "bool".into(),
        Ty::Int => "int".into(),
        Ty::Float => "float".into(),
        Ty::Null => "None".into(),
        Ty::Ref(name) => name.clone(),
        Ty::List(inner) => format!("List[{}]", py_ty(inner)),
        Ty::Map => "Dict[str, Any]".into(),
        Ty::Union(options) => {
            let rest: Vec<&Ty> = options.iter().filter(|t| **t != Ty::Null).collect();
            let inner = if rest.len() == 1 {
                py_ty(rest[0])
            } else {
                format!(
                    "Union[{}]",
                    rest.iter().map(|t| py_ty(t)).collect::<Vec<_>>().join(", ")
                )
            };
            if rest.len() < options.len() {
                format!("Optional[{inner}]")
            } else {
                inner
            }
        }
    }
}

fn py_fields(out: &mut String, fields: &[&Field]) {
    for field in fields {
        if let Some(doc) = &field.doc {
            let _ = writeln!(out, "    #: {}", rst(doc));
        }
        let _ = writeln!(out, "    {}: {}", field.key, py_ty(&field.ty));
    }
}

fn py_class(model: &Model, out: &mut String, name: &str) {
    let s = &model.structs[name];
    let mut doc = rst(&s.doc);
    for op in model.request_of(name) {
        let _ = write!(doc, " Request of ``{}``.", op.label);
    }
    if s.open {
        doc.push_str(" Unknown keys are kept (not declared here).");
    }
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    let optional: Vec<&Field> = s.fields.iter().filter(|f| !f.required).collect();
    out.push_str("\n\n");
    if optional.is_empty() {
        let _ = writeln!(out, "class {name}(TypedDict):\n    \"\"\"{}\"\"\"\n", doc.trim());
        py_fields(out, &required);
    } else if required.is_empty() {
        let _ = writeln!(
            out,
            "class {name}(TypedDict, total=False):\n    \"\"\"{}\"\"\"\n",
            doc.trim()
        );
        py_fields(out, &optional);
    } else {
        let _ = writeln!(
            out,
            "class _{name}Base(TypedDict):\n    \"\"\"Required keys of ``{name}``.\"\"\"\n"
        );
        py_fields(out, &required);
        let _ = writeln!(
            out,
            "\n\nclass {name}(_{name}Base, total=False):\n    \"\"\"{}\"\"\"\n",
            doc.trim()
        );
        py_fields(out, &optional);
    }
}

fn section(out: &mut String, comment: &str, title: &str) {
    let rule = format!("{comment} {}", "-".repeat(98 - comment.len()));
    let _ = write!(out, "\n\n{rule}\n{comment} {title}\n{rule}\n");
}

const PY_MODULE_DOC: &str = r#""""Typed shapes of the request and response dicts of the NICEPAY SNAP clients.

These ``TypedDict`` classes describe the dicts that ``Client`` and ``AsyncClient`` accept as
requests and return as responses. Keys are NICEPAY's camelCase JSON names, exactly as sent on the
wire (including the odd ones: ``userIP``, ``tXidVA``, ``externalStoreID``, ``beneficiaryPOE``,
``type``). They are for type checkers only: calling a class builds a plain dict, e.g.
``Amount(value="10000.00", currency="IDR")`` is ``{"value": "10000.00", "currency": "IDR"}``.

Responses (and the ``"notification"`` dict of ``verify_and_confirm``) are re-encoded from the Rust
core's typed structs, so they always carry every declared key (``None`` when NICEPAY omitted the
field), except the few keys declared in a ``total=False`` part, which are left out when absent.
They may also carry undeclared keys that NICEPAY added; those are passed through unchanged.
``verify_notification`` returns the raw notification body, which need not have every key.

``OPERATION_TYPES`` maps every operation name accepted by ``Client.execute`` to its
``(request, response)`` classes.
""""#;

/// The payload both bindings pass to `on_exchange` (a dict in Python, an object in Node, built by
/// `nicepay_snap_client::binding_support::exchange_value`): a shape of the bindings' own API, not
/// a SNAP payload. Per field: the snake_case name, the Python and TypeScript types, and the doc,
/// whose `{none}` and `{too_large}` are spelled per language ([`exchange_doc`]).
const EXCHANGE_FIELDS: [(&str, &str, &str, &str); 9] = [
    ("operation", "str", "string", "`\"access-token\"` or the operation name (`\"qris.refund\"`, `\"va.create\"`, ...)."),
    ("method", "str", "string", "`\"POST\"` or `\"DELETE\"`."),
    ("path", "str", "string", "The signed path (without `/nicepay`)."),
    ("external_id", "Optional[str]", "string", "The request's `X-EXTERNAL-ID` ({none} for the access-token request)."),
    ("attempt", "int", "number", "1, or 2 and up for byte-identical resends of a request that was certainly not delivered."),
    ("elapsed_ms", "float", "number", "Milliseconds from sending to the response or failure."),
    ("http_status", "Optional[int]", "number", "The HTTP status ({none} when no response arrived)."),
    ("response_code", "Optional[str]", "string", "The SNAP `responseCode` of the response body, when it had one."),
    ("transport_error", "Optional[str]", "string", "`\"connect\"` (certainly not delivered), `\"timeout\"`, `\"io\"`, `\"{too_large}\"` or `\"other\"` (may have been applied); {none} when a response arrived."),
];

const EXCHANGE_DOC: &str = "One HTTP exchange a client made, as passed to its `on_exchange` callback. It carries no secret (no access token, signature, client secret or body).";

/// An [`EXCHANGE_FIELDS`] doc in Python's (reST) or TypeScript's spelling.
fn exchange_doc(doc: &str, python: bool) -> String {
    if python {
        rst(&doc.replace("{none}", "`None`").replace("{too_large}", "body_too_large"))
    } else {
        doc.replace("{none}", "absent")
            .replace("{too_large}", "bodyTooLarge")
            .replace("on_exchange", "onExchange")
    }
}

fn confirmation_name(product: &str) -> String {
    let title = match product {
        "qris" => "Qris",
        "va" => "Va",
        "ewallet" => "Ewallet",
        "payout" => "Payout",
        other => panic!("codegen: unknown product {other}"),
    };
    format!("{title}Confirmation")
}

fn python_types(model: &Model) -> String {
    let mut out = format!("# Generated by `{GENERATOR}` from the Rust payload structs — do not edit.\n");
    out.push_str(PY_MODULE_DOC);
    out.push_str("\n\nfrom typing import Any, Dict, List, Optional, Tuple, TypedDict\n");
    let mut names: Vec<String> = Vec::new();
    for (title, order) in model.sections() {
        if order.is_empty() {
            continue;
        }
        section(&mut out, "#", &title);
        for name in &order {
            py_class(model, &mut out, name);
            names.push(name.clone());
        }
    }
    section(&mut out, "#", "verify_and_confirm results");
    for c in &model.confirmations {
        let name = confirmation_name(c.product);
        let _ = write!(
            out,
            "\n\nclass {name}(TypedDict):\n    \"\"\"``verify_and_confirm(product=\"{p}\", ...)``: the verified notification and the query.\"\"\"\n\n    notification: {n}\n    #: The ``{q}`` query made to confirm the notification.\n    status: {s}\n    #: ``True`` only when the query confirms the notified payment: fulfil the order only then.\n    paid: bool\n    #: ``True`` when the client's store already confirmed this notification as paid: a repeat.\n    duplicate: bool\n",
            p = c.product,
            n = c.notification,
            q = c.query,
            s = c.status,
        );
        names.push(name);
    }
    section(&mut out, "#", "Observability");
    let _ = write!(
        out,
        "\n\nclass Exchange(TypedDict):\n    \"\"\"{}\"\"\"\n\n",
        exchange_doc(EXCHANGE_DOC, true)
    );
    for (name, py, _, doc) in EXCHANGE_FIELDS {
        let _ = writeln!(out, "    #: {}\n    {name}: {py}", exchange_doc(doc, true));
    }
    names.push("Exchange".into());
    section(&mut out, "#", "Operations");
    out.push_str("\nOPERATION_TYPES: Dict[str, Tuple[type, type]] = {\n");
    for op in &model.ops {
        let _ = writeln!(out, "    \"{}\": ({}, {}),", op.label, op.request, op.response);
    }
    out.push_str(
        "}\n\"\"\"Operation name (as accepted by ``Client.execute``) to its ``(request, response)`` classes.\"\"\"\n\n",
    );
    names.push("OPERATION_TYPES".into());
    names.sort();
    out.push_str("__all__ = [\n");
    for name in names {
        let _ = writeln!(out, "    \"{name}\",");
    }
    out.push_str("]\n");
    out
}

const PYI_IMPORTS: (&str, &str) = ("# <generated: imports>\n", "# </generated: imports>\n");
const PYI_SYNC: (&str, &str) = (
    "    # <generated: Client named methods>\n",
    "    # </generated: Client named methods>\n",
);
const PYI_ASYNC: (&str, &str) = (
    "    # <generated: AsyncClient named methods>\n",
    "    # </generated: AsyncClient named methods>\n",
);

fn replace_region(text: &str, (begin, end): (&str, &str), body: &str, path: &Path) -> Result<String, String> {
    let start = text
        .find(begin)
        .ok_or_else(|| format!("{}: no `{}` marker", path.display(), begin.trim()))?
        + begin.len();
    let stop = text[start..]
        .find(end)
        .ok_or_else(|| format!("{}: no `{}` marker", path.display(), end.trim()))?
        + start;
    Ok(format!("{}{}{}", &text[..start], body, &text[stop..]))
}

fn pyi(model: &Model, current: &str, path: &Path) -> Result<String, String> {
    let mut types: BTreeSet<String> = ["Exchange".to_owned()].into();
    for op in &model.ops {
        types.insert(op.request.clone());
        types.insert(op.response.clone());
    }
    for c in &model.confirmations {
        types.insert(confirmation_name(c.product));
    }
    let mut imports = String::from("from nicepay_snap.types import (\n");
    for name in &types {
        let _ = writeln!(imports, "    {name},");
    }
    imports.push_str(")\n");
    let methods = |awaitable: bool| {
        let mut out = String::new();
        for op in &model.ops {
            let response = if awaitable {
                format!("Awaitable[{}]", op.response)
            } else {
                op.response.clone()
            };
            let _ = writeln!(
                out,
                "    def {}(self, request: {}, /) -> {}:\n        \"\"\"{}\"\"\"",
                op.method,
                op.request,
                response,
                op_doc(op, true)
            );
        }
        out
    };
    let text = replace_region(current, PYI_IMPORTS, &imports, path)?;
    let text = replace_region(&text, PYI_SYNC, &methods(false), path)?;
    replace_region(&text, PYI_ASYNC, &methods(true), path)
}

// ------------------------------------------------------------------------------------------------
// TypeScript and the shape table
// ------------------------------------------------------------------------------------------------

fn ts_ty(ty: &Ty) -> String {
    match ty {
        Ty::Any => "any".into(),
        Ty::Str => "string".into(),
        Ty::Bool => "boolean".into(),
        Ty::Int | Ty::Float => "number".into(),
        Ty::Null => "null".into(),
        Ty::Ref(name) => name.clone(),
        Ty::List(inner) => {
            let inner = ts_ty(inner);
            if inner.contains('|') {
                format!("Array<{inner}>")
            } else {
                format!("{inner}[]")
            }
        }
        Ty::Map => "Record<string, any>".into(),
        Ty::Union(options) => {
            let mut parts: Vec<String> = options.iter().filter(|t| **t != Ty::Null).map(ts_ty).collect();
            if parts.len() < options.len() {
                parts.push("null".into());
            }
            parts.join(" | ")
        }
    }
}

fn ts_doc(text: &str, indent: &str) -> String {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("*/", "* /");
    format!("{indent}/** {text} */\n")
}

fn typescript(model: &Model) -> String {
    let mut out = format!(
        "/* eslint-disable */\n// The payload interfaces and the named methods of `Client` below are generated by\n// `{GENERATOR}` from the Rust payload structs and operation registry — do not edit.\n"
    );
    let mut interfaces: BTreeMap<String, String> = BTreeMap::new();
    for (name, s) in &model.structs {
        let mut text = String::new();
        let mut doc = unlink(&s.doc);
        for op in model.request_of(name) {
            let _ = write!(doc, " Request of `{}`.", op.label);
        }
        if s.open {
            doc.push_str(" Unknown keys are kept (not declared here).");
        }
        text.push_str(&ts_doc(&doc, ""));
        let _ = writeln!(text, "export interface {name} {{");
        for field in &s.fields {
            if let Some(doc) = &field.doc {
                text.push_str(&ts_doc(&unlink(doc), "  "));
            }
            let optional = if field.required { "" } else { "?" };
            let _ = writeln!(text, "  {}{optional}: {}", field.key, ts_ty(&field.ty));
        }
        text.push_str("}\n");
        interfaces.insert(name.clone(), text);
    }
    for c in &model.confirmations {
        let name = confirmation_name(c.product);
        let text = format!(
            "/** `verifyAndConfirm('{p}', ...)`: the verified notification and the query. */\nexport interface {name} {{\n  notification: {n}\n  /** The `{q}` query made to confirm the notification. */\n  status: {s}\n  /** `true` only when the query confirms the notified payment: fulfil the order only then. */\n  paid: boolean\n  /** `true` when the client's store already confirmed this notification as paid: a repeat. */\n  duplicate: boolean\n}}\n",
            p = c.product,
            n = c.notification,
            q = c.query,
            s = c.status,
        );
        interfaces.insert(name, text);
    }
    let mut exchange = ts_doc(&exchange_doc(EXCHANGE_DOC, false), "") + "export interface Exchange {\n";
    for (name, py, ts, doc) in EXCHANGE_FIELDS {
        let optional = if py.starts_with("Optional") { "?" } else { "" };
        exchange += &ts_doc(&exchange_doc(doc, false), "  ");
        let _ = writeln!(exchange, "  {}{optional}: {ts}", camel_case(name));
    }
    interfaces.insert("Exchange".into(), exchange + "}\n");
    for text in interfaces.values() {
        out.push('\n');
        out.push_str(text);
    }
    out.push_str("\n/** What `verifyAndConfirm` resolves with, per `product`. */\nexport interface Confirmations {\n");
    for c in &model.confirmations {
        let _ = writeln!(out, "  {}: {}", c.product, confirmation_name(c.product));
    }
    out.push_str("}\n");
    out.push_str(
        "\n// The named operation methods of `Client`, merged into the class `napi build` declares in\n// index.d.ts (which re-exports this file).\ndeclare module './index.js' {\n  interface Client {\n",
    );
    for op in &model.ops {
        out.push_str(&ts_doc(&op_doc(op, false), "    "));
        let _ = writeln!(
            out,
            "    {}(request: {}): Promise<{}>",
            camel_case(op.method),
            op.request,
            op.response
        );
    }
    out.push_str("  }\n}\n");
    out
}

fn shape(ty: &Ty) -> Value {
    match ty {
        Ty::Any => json!("any"),
        Ty::Str => json!("string"),
        Ty::Bool => json!("boolean"),
        Ty::Int | Ty::Float => json!("number"),
        Ty::Null => json!("null"),
        Ty::Ref(name) => json!({ "ref": name }),
        Ty::List(inner) => json!({ "list": shape(inner) }),
        Ty::Map => json!({ "map": "any" }),
        Ty::Union(options) => {
            // Nullable last, as TypeScript writes it.
            let mut sorted: Vec<&Ty> = options.iter().filter(|t| **t != Ty::Null).collect();
            sorted.extend(options.iter().filter(|t| **t == Ty::Null));
            json!({ "union": sorted.into_iter().map(shape).collect::<Vec<_>>() })
        }
    }
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<String, Value> = map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn shapes(model: &Model) -> String {
    let mut types = serde_json::Map::new();
    for (name, s) in &model.structs {
        let mut required: Vec<&str> = s.fields.iter().filter(|f| f.required).map(|f| f.key.as_str()).collect();
        required.sort_unstable();
        let fields: serde_json::Map<String, Value> = s.fields.iter().map(|f| (f.key.clone(), shape(&f.ty))).collect();
        types.insert(name.clone(), json!({ "required": required, "fields": fields }));
    }
    for c in &model.confirmations {
        types.insert(
            confirmation_name(c.product),
            json!({
                "required": ["duplicate", "notification", "paid", "status"],
                "fields": {
                    "notification": { "ref": c.notification },
                    "status": { "ref": c.status },
                    "paid": "boolean",
                    "duplicate": "boolean",
                },
            }),
        );
    }
    let methods: serde_json::Map<String, Value> = model
        .ops
        .iter()
        .map(|op| {
            (
                camel_case(op.method),
                json!({ "operation": op.label, "request": op.request, "response": op.response }),
            )
        })
        .collect();
    let python_methods: serde_json::Map<String, Value> = model
        .ops
        .iter()
        .map(|op| (op.method.to_owned(), json!(op.label)))
        .collect();
    let confirmations: serde_json::Map<String, Value> = model
        .confirmations
        .iter()
        .map(|c| (c.product.to_owned(), json!(confirmation_name(c.product))))
        .collect();
    let document = json!({
        "//": format!("generated by `{GENERATOR}` from the Rust payload structs and operation registry — do not edit"),
        "methods": methods,
        "pythonMethods": python_methods,
        "confirmations": confirmations,
        "types": types,
    });
    let mut text = serde_json::to_string_pretty(&sorted(document)).expect("codegen: shapes serialize");
    // One-space indent, as the table has always been written.
    text = text
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            format!("{}{}", " ".repeat(indent / 2), line.trim_start())
        })
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

// ------------------------------------------------------------------------------------------------

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn codegen(check: bool) -> Result<bool, String> {
    let root = root();
    let model = model();
    let pyi_path = root.join("python/src/nicepay_snap/_nicepay_snap.pyi");
    let pyi_current = std::fs::read_to_string(&pyi_path).map_err(|e| format!("{}: {e}", pyi_path.display()))?;
    let outputs = [
        (root.join("python/src/nicepay_snap/types.py"), python_types(&model)),
        (pyi_path.clone(), pyi(&model, &pyi_current, &pyi_path)?),
        (root.join("node/payload-types.d.ts"), typescript(&model)),
        (root.join("node/__test__/payload-shapes.json"), shapes(&model)),
    ];
    let mut fresh = true;
    for (path, text) in outputs {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        let shown = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        if check {
            eprintln!("{shown} is stale: run `{GENERATOR}` and commit the result");
            fresh = false;
        } else {
            std::fs::write(&path, text).map_err(|e| format!("{shown}: {e}"))?;
            eprintln!("wrote {shown}");
        }
    }
    Ok(fresh)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = match args.as_slice() {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        _ => {
            eprintln!("usage: {GENERATOR} [--check]");
            return ExitCode::from(2);
        }
    };
    match codegen(check) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("codegen: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_docs_become_rst_without_link_brackets() {
        assert_eq!(
            rst("See [`QRIS_QUERY_DEFAULT_SERVICE_CODE`]."),
            "See ``QRIS_QUERY_DEFAULT_SERVICE_CODE``."
        );
        assert_eq!(rst("`\"1\"` in every SDK"), "``\"1\"`` in every SDK");
        assert_eq!(unlink("a [`X`] b [c]"), "a `X` b [c]");
        assert_eq!(camel_case("balance_inquiry"), "balanceInquiry");
    }

    #[test]
    fn schema_types_map_to_python_typescript_and_shapes() {
        let nullable_ref = parse_ty(&json!({"anyOf": [{"$ref": "#/$defs/Amount"}, {"type": "null"}]}));
        assert_eq!(py_ty(&nullable_ref), "Optional[Amount]");
        assert_eq!(ts_ty(&nullable_ref), "Amount | null");
        assert_eq!(shape(&nullable_ref), json!({"union": [{"ref": "Amount"}, "null"]}));
        let list = parse_ty(&json!({"type": "array", "items": {"$ref": "#/$defs/UrlParam"}}));
        assert_eq!(
            (py_ty(&list), ts_ty(&list)),
            ("List[UrlParam]".into(), "UrlParam[]".into())
        );
        let map = parse_ty(&json!({"type": ["object", "null"], "additionalProperties": true}));
        assert_eq!(
            (py_ty(&map), ts_ty(&map)),
            ("Optional[Dict[str, Any]]".into(), "Record<string, any> | null".into())
        );
        assert_eq!(without_null(map), Ty::Map);
    }

    #[test]
    fn the_model_covers_every_registry_operation_with_struct_types() {
        let model = model();
        let labels: Vec<&str> = model.ops.iter().map(|o| o.label).collect();
        assert_eq!(labels, nicepay_snap::api::OPERATION_NAMES);
        for op in &model.ops {
            assert!(model.structs.contains_key(&op.request), "{}", op.request);
            let response = &model.structs[&op.response];
            let code = response
                .fields
                .iter()
                .find(|f| f.key == "responseCode")
                .expect("responseCode");
            assert!(code.required && code.ty == Ty::Str, "{}", op.response);
        }
        // Response side: a key left out when absent is never null; request side: an optional key
        // accepts null.
        let refund_info = &model.structs["QrisRefundResponseAdditionalInfo"].fields[0];
        assert_eq!((refund_info.required, &refund_info.ty), (false, &Ty::Str));
        let sub_merchant = model.structs["QrisGenerateRequest"]
            .fields
            .iter()
            .find(|f| f.key == "subMerchantId")
            .expect("subMerchantId");
        assert_eq!(py_ty(&sub_merchant.ty), "Optional[str]");
        assert!(!sub_merchant.required);
    }
}
