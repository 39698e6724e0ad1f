//! The clients every scenario uses, all wired to the mock's default credentials.

use crate::BoxError;
use servicetitan::Client;
use servicetitan_mock::Credentials;

/// The SDK's client for a mock at `url`, with the client-side limiter at `rate` requests/s
/// (`None`: off).
pub fn sdk(url: &str, rate: Option<u32>) -> Result<Client, BoxError> {
    let c = Credentials::default();
    Ok(Client::builder()
        .no_dotenv()
        .client_id(c.client_id)
        .client_secret(c.client_secret)
        .app_key(c.app_key)
        .tenant_id(c.tenant_id)
        .auth_url(url)
        .api_url(url)
        .rate_limit(rate)
        .build()?)
}

/// A plain reqwest client with the headers a ServiceTitan call needs: the floor to compare with.
pub struct Raw {
    /// The connection pool.
    pub http: reqwest::Client,
    /// `Bearer <token>`.
    pub bearer: String,
    /// `ST-App-Key`.
    pub app_key: String,
    /// `{url}/jpm/v2/tenant/{tenant}`.
    pub jpm: String,
}

impl Raw {
    /// Fetches one token and is ready to call.
    pub async fn connect(url: &str) -> Result<Raw, BoxError> {
        let c = Credentials::default();
        servicetitan::install_crypto_provider();
        let http = reqwest::Client::new();
        let token: serde_json::Value = http
            .post(format!("{url}/connect/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
            ])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = token["access_token"]
            .as_str()
            .ok_or("the token endpoint answered without access_token")?;
        Ok(Raw {
            http,
            bearer: format!("Bearer {token}"),
            app_key: c.app_key,
            jpm: format!("{url}/jpm/v2/tenant/{}", c.tenant_id),
        })
    }

    /// `GET {jpm}/jobs?page&pageSize`, the body's bytes.
    pub async fn jobs_page(&self, page: i32, page_size: i32) -> Result<bytes::Bytes, BoxError> {
        Ok(self
            .http
            .get(format!("{}/jobs", self.jpm))
            .query(&[("page", page), ("pageSize", page_size)])
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .header("ST-App-Key", &self.app_key)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?)
    }
}
