//! Carrying the typed [`Error`] from the transport to the caller's `?`.
//!
//! Generated clients only know `progenitor_client::Error`, and their `exec` hook can only return a
//! `reqwest::Response`; so the transport attaches the typed error to the response's extensions
//! (module `rebuild`), and `impl From<progenitor_client::Error<E>> for Error` takes it back out,
//! synchronously, when the user writes `?`.

use std::sync::{Arc, Mutex};

use crate::error::{ApiError, Error};

/// A typed error travelling inside a response's extensions (which require `Clone`, hence the
/// shared slot).
#[derive(Clone)]
pub(crate) struct Captured(Arc<Mutex<Option<Error>>>);

impl Captured {
    pub(crate) fn new(err: Error) -> Self {
        Captured(Arc::new(Mutex::new(Some(err))))
    }

    fn take_from(extensions: &mut http::Extensions) -> Option<Error> {
        let captured = extensions.remove::<Captured>()?;
        let mut slot = captured
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.take()
    }
}

/// Reads the typed error the transport attached to a response, if any. Useful when calling
/// [`Transport::execute`](crate::Transport::execute) directly.
pub fn take_captured(response: &mut reqwest::Response) -> Option<Error> {
    Captured::take_from(response.extensions_mut())
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(err: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match err {
            P::UnexpectedResponse(mut response) => {
                if let Some(err) = Captured::take_from(response.extensions_mut()) {
                    return err;
                }
                // A success status the spec did not list: the body the transport read, if it
                // did (a response from elsewhere cannot be read synchronously: the head alone).
                let body = response.extensions_mut().remove::<super::ReadBody>();
                ApiError::from_head(
                    response.status(),
                    response.headers(),
                    Some(response.url()),
                    body.as_ref().map(|b| b.0.as_ref()),
                )
                .into()
            }
            P::ErrorResponse(value) => {
                ApiError::from_head(value.status(), value.headers(), None, None).into()
            }
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
            P::InvalidResponsePayload(body, e) => Error::decode(e.to_string(), &body, None),
            P::InvalidRequest(message) => invalid_argument(&message),
            P::Custom(message) => Error::Other(message),
        }
    }
}

/// progenitor's builder errors, which are text only, read back into the argument they name:
/// `tenant was not initialized`, ``conversion to `i64` for page failed``, or a query part that
/// could not be written ([`crate::query::QueryError`]).
fn invalid_argument(message: &str) -> Error {
    let (name, reason) = if let Some(name) = message.strip_suffix(" was not initialized") {
        (name, "required, but no value was given".to_owned())
    } else if let Some((target, name)) = message
        .strip_prefix("conversion to `")
        .and_then(|rest| rest.split_once("` for "))
    {
        let name = name.split(" failed").next().unwrap_or(name);
        (
            name,
            format!("the value could not be converted to `{target}`"),
        )
    } else if let Some(why) = message.strip_prefix("a query parameter could not be written: ") {
        ("query", format!("a parameter could not be written: {why}"))
    } else {
        ("request", message.to_owned())
    };
    Error::InvalidArgument {
        name: name.to_owned(),
        reason,
    }
}
