use domain::ValidationError;

/// What the store refuses or fails at. Messages are for users, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Input refused; nothing was written.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// Not there, or outside the caller's scope: the two are deliberately indistinguishable.
    #[error("{what}不存在或不在您的权限范围内")]
    NotFound { what: &'static str },
    /// A backup or restore that could not be made or did not check out.
    #[error("{0}")]
    Backup(String),
    #[error("无法打开数据库 {url}：{reason}")]
    Open { url: String, reason: String },
    /// The key ring is missing or does not fit the database.
    #[error("{0}")]
    Key(String),
    #[error("数据库迁移 {name} 失败：{reason}")]
    Migration { name: String, reason: String },
    #[error("数据库中的数据无法识别（{0}），数据库可能被其他程序改动过")]
    Corrupt(String),
    #[error("数据库操作失败：{0}")]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(ValidationError::one(field, message))
    }
}
