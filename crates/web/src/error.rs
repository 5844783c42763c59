//! Errors as users see them: a Chinese page, or JSON `{error, fields}` for the API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use store::StoreError;

/// An error on a page.
pub enum PageError {
    /// Not logged in: go to the login page.
    Login,
    Status(StatusCode, String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        let (status, msg) = classify(&e);
        PageError::Status(status, msg)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login => Redirect::to("/login").into_response(),
            PageError::Status(status, msg) => (status, crate::view::message_page(status, &msg)).into_response(),
        }
    }
}

/// An error from the API.
pub enum ApiError {
    Unauthorized,
    Store(StoreError),
    Bad(String),
    /// Logged in, but this kind of data is not for this role.
    Forbidden(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": "未登录或登录已过期：请先 POST /api/v1/session 获取令牌，并在请求头中携带 Authorization: Bearer 令牌"})),
            )
                .into_response(),
            ApiError::Bad(msg) => (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": msg}))).into_response(),
            ApiError::Forbidden(msg) => (StatusCode::FORBIDDEN, Json(serde_json::json!({"error": msg}))).into_response(),
            ApiError::Store(StoreError::Invalid(v)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({"error": v.summary(), "fields": v.errors}))).into_response()
            }
            ApiError::Store(e) => {
                let (status, msg) = classify(&e);
                (status, Json(serde_json::json!({"error": msg}))).into_response()
            }
        }
    }
}

fn classify(e: &StoreError) -> (StatusCode, String) {
    match e {
        StoreError::NotFound { .. } => (StatusCode::NOT_FOUND, e.to_string()),
        StoreError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        _ => {
            // The cause goes to the log under the request's id; the user gets the id only.
            let id = crate::request_id();
            // The driver's own text (in the value's Debug form) is for the log only.
            tracing::error!(request_id = %id, "内部错误：{e}（{e:?}）");
            (StatusCode::INTERNAL_SERVER_ERROR, format!("服务器内部错误，请稍后重试；如持续出现请联系管理员，并告知错误编号 {id}"))
        }
    }
}
