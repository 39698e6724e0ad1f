//! The MCP server: rmcp's `ServerHandler` written by hand (the tools are built from the command
//! table at run time, which rmcp's macros cannot express), one shared SDK client (its rate
//! limiter and retries shared by concurrent calls), and every answer redacted of secrets.

use super::confirm::Confirmations;
use super::results::ResultStore;
use super::{catalog, tools};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use servicetitan_core::Client;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Which writes may be sent (after confirmation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writes {
    /// None: the default.
    None,
    /// Every module's.
    All,
    /// These modules' only.
    Modules(BTreeSet<String>),
}

impl Writes {
    /// Whether writes of `module` may be sent.
    pub fn allows(&self, module: &str) -> bool {
        match self {
            Writes::None => false,
            Writes::All => true,
            Writes::Modules(set) => set.contains(module),
        }
    }
}

/// A failed tool call: a code and a JSON explanation (at least `error` and `message`).
#[derive(Debug)]
pub struct ToolError {
    value: Value,
}

impl ToolError {
    /// `{"error": code, "message": message}`.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ToolError {
            value: json!({"error": code, "message": message.into()}),
        }
    }

    /// A prepared explanation (its `error` set to `code` when missing).
    pub fn with(code: &str, mut value: Value) -> Self {
        if value.get("error").is_none() {
            value["error"] = json!(code);
        }
        ToolError { value }
    }
}

/// A tool's answer as JSON text (records kept as sent), or its error.
pub type ToolResult = Result<String, ToolError>;

/// The server's state, shared by every session and call.
pub struct Inner {
    /// The one SDK client.
    pub client: Client,
    /// Which writes may be sent.
    pub writes: Writes,
    /// Confirmation tokens of dry runs.
    pub confirmations: Confirmations,
    /// Results cut to the byte cap.
    pub results: ResultStore,
    /// Per-operation mode: the modules whose operations are tools.
    pub modules: Option<BTreeSet<String>>,
}

/// The handler rmcp serves (cheap to clone: one per HTTP session).
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
    tools: Arc<Vec<Tool>>,
}

impl Server {
    /// A server over `inner`.
    pub fn new(inner: Inner) -> Self {
        let cap = inner.results.cap();
        let tools = match &inner.modules {
            None => tools::fixed(inner.writes != Writes::None, cap),
            Some(modules) => {
                let writes = inner.writes.clone();
                let mut list = tools::per_operation(modules, &move |m| writes.allows(m));
                // Cut answers continue with read_result in this mode too.
                list.extend(
                    tools::fixed(false, cap)
                        .into_iter()
                        .filter(|t| t.name == "read_result"),
                );
                list
            }
        };
        Server {
            inner: Arc::new(inner),
            tools: Arc::new(tools),
        }
    }

    /// The tools listed.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// Runs tool `name` with `arguments`; the answer or the error as JSON text, secrets redacted.
    pub async fn run(&self, name: &str, arguments: Map<String, Value>) -> (bool, String) {
        let result = self.dispatch(name, arguments).await;
        let (ok, text) = match result {
            Ok(text) => (true, text),
            Err(e) => (false, e.value.to_string()),
        };
        // Whatever a server echoed (a token, the app key) never reaches the agent.
        (ok, servicetitan_core::redact::everywhere(&text))
    }

    async fn dispatch(&self, name: &str, arguments: Map<String, Value>) -> ToolResult {
        let inner = &self.inner;
        let args = Value::Object(arguments);
        match name {
            "search_operations" => search(parse(args)?),
            "describe_operation" => {
                let input: DescribeInput = parse(args)?;
                let found = catalog::find(&input.operation_id)
                    .map_err(|m| ToolError::new("unknown_operation", m))?;
                Ok(catalog::describe(&found).to_string())
            }
            "call_operation" if inner.modules.is_none() => inner.call_operation(parse(args)?).await,
            "read_result" => inner.read_result(parse(args)?),
            "export_records" if inner.modules.is_none() => inner.export_records(parse(args)?).await,
            "list_reports" if inner.modules.is_none() => inner.list_reports(parse(args)?).await,
            "describe_report" if inner.modules.is_none() => {
                inner.describe_report(parse(args)?).await
            }
            "run_report" if inner.modules.is_none() => inner.run_report(parse(args)?).await,
            other => {
                let found = catalog::all(inner.modules.as_ref())
                    .find(|f| tools::operation_tool_name(f) == other)
                    .filter(|_| inner.modules.is_some())
                    .ok_or_else(|| ToolError::new("unknown_tool", format!("no tool `{other}`")))?;
                let mut args = args;
                args["operation_id"] = json!(found.id());
                inner.call_operation(parse(args)?).await
            }
        }
    }
}

/// Tool arguments read into `T`; a mismatch is an `invalid_arguments` error naming the problem.
fn parse<T: DeserializeOwned>(args: Value) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        ToolError::with(
            "invalid_arguments",
            json!({
                "error": "invalid_arguments",
                "message": "the arguments do not match the tool's input schema; nothing was sent",
                "problems": [{"path": path, "message": e.inner().to_string()}],
            }),
        )
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchInput {
    query: String,
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DescribeInput {
    operation_id: String,
}

fn search(input: SearchInput) -> ToolResult {
    let modules: Option<BTreeSet<String>> = match input.module {
        Some(m) if crate::table::module(&m).is_none() => {
            return Err(ToolError::new(
                "invalid_arguments",
                format!("unknown module `{m}`"),
            ))
        }
        m => m.map(|m| [m].into()),
    };
    let limit = input.limit.unwrap_or(10).clamp(1, 50);
    let matches: Vec<Value> = catalog::search(&input.query, modules.as_ref(), limit)
        .iter()
        .map(catalog::Found::summary_json)
        .collect();
    Ok(json!({"query": input.query, "matches": matches}).to_string())
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "servicetitan",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "ServiceTitan API. Find an operation with search_operations, read its parameters \
                 with describe_operation, call it with call_operation. export_records pages \
                 through exports with a cursor; list_reports/describe_report/run_report run \
                 reports. Writes need the server's --allow-writes and a confirmed dry run.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        if !self.tools.iter().any(|t| t.name == name) {
            return Err(ErrorData::invalid_params(
                format!("no tool named `{name}`"),
                None,
            ));
        }
        let (ok, text) = self.run(&name, request.arguments.unwrap_or_default()).await;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        let mut result = if ok {
            CallToolResult::structured(value)
        } else {
            CallToolResult::structured_error(value)
        };
        // The text is the exact answer (records as the API sent them, digit for digit).
        result.content = vec![rmcp::model::ContentBlock::text(text)];
        Ok(result.into())
    }
}
