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
    /// The database's own failure, explained in Chinese ([`explain`]); the driver's text
    /// stays in the value (`{:?}`, for the log), not in the message.
    #[error("数据库操作失败：{}", explain(.0))]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

/// What a database failure means for the user and what to do, in Chinese, with the
/// database's error code (SQLite's result code or PostgreSQL's SQLSTATE) for whoever
/// looks further. The driver's English text is never part of it.
pub fn explain(e: &sqlx::Error) -> String {
    use sqlx::Error as E;
    match e {
        E::Database(d) => {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            // Our own triggers raise Chinese messages (the audit log is append-only): those
            // are for the user as they stand.
            if d.message().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                return format!("{}（数据库错误代码 {code}）", d.message());
            }
            // SQLite gives extended result codes; the primary code is the low byte.
            let sqlite = code.parse::<i64>().ok().map(|c| c & 0xff);
            let what = match (sqlite, code.as_str()) {
                (Some(5 | 6), _) => "数据库正被另一个程序写入，等待后仍未轮到；请稍后重试",
                (Some(8), _) => "数据库文件是只读的；请检查文件及其所在目录的写权限",
                (Some(10), _) => "读写数据库文件时磁盘出错；请检查磁盘",
                (Some(11 | 26), _) => "数据库文件已损坏或不是 SQLite 数据库；请检查 --db 指向的文件，或从备份恢复（dangjian restore）",
                (Some(13), _) | (None, "53100") => "磁盘已满；请腾出空间后重试",
                (Some(14), _) => "无法打开数据库文件：路径不存在或没有权限",
                (Some(19), _) | (None, "23505" | "23503" | "23502" | "23514") => "数据与已有记录冲突（重复，或引用了不存在的记录）",
                (None, "53200") => "数据库服务器内存不足；请稍后重试",
                (None, "53300") => "数据库连接数已满；请稍后重试，或调大 PostgreSQL 的 max_connections",
                (None, "3D000") => "PostgreSQL 中没有这个数据库；请先创建（CREATE DATABASE），或检查 --db 中的库名",
                (None, "28P01" | "28000") => "PostgreSQL 拒绝了用户名或密码；请检查 --db 中的账号",
                (None, "42501") => "数据库账号没有所需的权限；请让数据库管理员授权",
                (None, "40001" | "40P01") => "与同时进行的其他操作冲突；请重试",
                (None, c) if c.starts_with("08") || c.starts_with("57P") => "与 PostgreSQL 的连接中断或服务器正在关闭；请检查数据库服务后重试",
                _ => "数据库拒绝了这项操作",
            };
            format!("{what}（数据库错误代码 {code}）")
        }
        E::Io(_) => "无法连接或读写数据库：服务未启动、网络中断或文件不可访问；请检查后重试".into(),
        E::PoolTimedOut => "等待数据库连接超时：数据库繁忙或未启动；请稍后重试".into(),
        E::PoolClosed | E::WorkerCrashed => "数据库连接已关闭（程序正在退出或连接意外终止）；请重新运行".into(),
        E::Tls(_) => "与数据库的加密连接失败；请检查数据库地址中的 TLS 设置".into(),
        E::Configuration(_) => "数据库地址或连接参数有误；请检查 --db".into(),
        E::ColumnNotFound(c) => format!("数据库表中缺少列 {c}：数据库结构与本程序的版本不符；请运行 dangjian migrate"),
        E::RowNotFound => "数据库中没有要找的记录".into(),
        _ => "数据库返回了无法处理的结果；数据库版本可能不受支持".into(),
    }
}

impl StoreError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(ValidationError::one(field, message))
    }
}
