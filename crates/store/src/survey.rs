//! Questionnaire research (问卷调查): questionnaires, campaigns with one public link per
//! unit, and anonymous responses. Responses are written in batches by one writer (group
//! commit) so that many submissions share one durable commit.

use crate::import::multi_insert_sql;
use crate::query::{Arg, Sql};
use crate::rows::RowExt;
use crate::scope::path_range;
use crate::{Backend, Scope, Store, StoreError};
use domain::org::{OrgLevel, Sector};
use domain::Date;
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{Connection, Executor};

pub struct QuestionnaireRow {
    pub id: i64,
    pub form_id: String,
    pub version: String,
    pub title: String,
    /// The parsed questionnaire as JSON (survey::Questionnaire).
    pub definition: String,
    pub created_at: String,
}

pub struct NewCampaign {
    pub questionnaire_id: i64,
    pub org_id: i64,
    pub title: String,
    pub opens_on: Date,
    pub closes_on: Date,
    /// survey::validity::Rules as JSON.
    pub rules: String,
    /// (organisation, questionnaires issued to it)
    pub units: Vec<(i64, i64)>,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub questionnaire_id: i64,
    pub questionnaire_title: String,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub rules: String,
    pub created_at: String,
}

/// A unit a campaign was sent to, with what the analysis groups by.
#[derive(Debug, Clone)]
pub struct CampaignUnit {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub level: OrgLevel,
    pub sector: Sector,
    pub region_code: String,
    pub token: String,
    pub issued: i64,
}

pub struct NewResponse {
    pub campaign_id: i64,
    pub unit_id: i64,
    pub submission_id: String,
    pub device: String,
    /// "online" or "paper"
    pub channel: String,
    pub entered_by: Option<i64>,
    pub started_at: String,
    pub submitted_at: String,
    pub duration_s: f64,
    pub answers: String,
    pub missing: i64,
    /// The open answers to make searchable (题目文字作标题), within the unit's scope.
    pub passages: Vec<crate::SearchPassage>,
}

#[derive(Debug, Clone)]
pub struct ResponseRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub submission_id: String,
    pub device: String,
    pub channel: String,
    pub entered_by: Option<i64>,
    pub started_at: String,
    pub submitted_at: String,
    pub duration_s: f64,
    pub answers: String,
    pub missing: i64,
    pub override_valid: Option<bool>,
    pub override_reason: Option<String>,
}

/// A campaign with its questionnaire's title and its organisation (`o`, for the scope).
const CAMPAIGN_SELECT: &str = "SELECT c.id, c.questionnaire_id, q.title AS q_title, c.org_id, o.name AS org_name, c.title, c.opens_on, c.closes_on, c.rules, c.created_at \
     FROM campaigns c JOIN orgs o ON o.id = c.org_id JOIN questionnaires q ON q.id = c.questionnaire_id";
const UNIT_COLS: &str = "u.id, u.campaign_id, u.org_id, o.code, o.name, o.level, o.sector, o.region_code, u.token, u.issued";
const RESPONSE_COLS: &str = "r.id, r.campaign_id, r.unit_id, r.submission_id, r.device, r.channel, r.entered_by, r.started_at, r.submitted_at, r.duration_s, r.answers, r.missing, r.override_valid, r.override_reason";

fn campaign_from(r: &AnyRow) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id: r.i("id")?,
        questionnaire_id: r.i("questionnaire_id")?,
        questionnaire_title: r.s("q_title")?,
        org_id: r.i("org_id")?,
        org_name: r.s("org_name")?,
        title: r.s("title")?,
        opens_on: r.d("opens_on")?,
        closes_on: r.d("closes_on")?,
        rules: r.s("rules")?,
        created_at: r.s("created_at")?,
    })
}

fn unit_from(r: &AnyRow) -> Result<CampaignUnit, StoreError> {
    Ok(CampaignUnit {
        id: r.i("id")?,
        campaign_id: r.i("campaign_id")?,
        org_id: r.i("org_id")?,
        org_code: r.s("code")?,
        org_name: r.s("name")?,
        level: r.e("level")?,
        sector: r.e("sector")?,
        region_code: r.s("region_code")?,
        token: r.s("token")?,
        issued: r.i("issued")?,
    })
}

fn response_from(r: &AnyRow) -> Result<ResponseRow, StoreError> {
    Ok(ResponseRow {
        id: r.i("id")?,
        campaign_id: r.i("campaign_id")?,
        unit_id: r.i("unit_id")?,
        submission_id: r.s("submission_id")?,
        device: r.s("device")?,
        channel: r.s("channel")?,
        entered_by: r.oi("entered_by")?,
        started_at: r.s("started_at")?,
        submitted_at: r.s("submitted_at")?,
        duration_s: r.of("duration_s")?.unwrap_or(0.0),
        answers: r.s("answers")?,
        missing: r.i("missing")?,
        override_valid: r.oi("override_valid")?.map(|v| v != 0),
        override_reason: r.os("override_reason")?,
    })
}

fn questionnaire_from(r: &AnyRow) -> Result<QuestionnaireRow, StoreError> {
    Ok(QuestionnaireRow { id: r.i("id")?, form_id: r.s("form_id")?, version: r.s("version")?, title: r.s("title")?, definition: r.s("definition")?, created_at: r.s("created_at")? })
}

impl Store {
    /// Stores a questionnaire (questionnaires hold no personal data: every staff user
    /// may use any of them).
    pub async fn insert_questionnaire(&self, form_id: &str, version: &str, title: &str, definition: &str, user: Option<i64>) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar("INSERT INTO questionnaires (form_id, version, title, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(form_id)
            .bind(version)
            .bind(title)
            .bind(definition)
            .bind(user)
            .bind(crate::now_text())
            .fetch_one(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        self.audit_by_user(&mut conn, user, "insert", ("questionnaires", id), serde_json::json!({"标题": title, "版本": version})).await?;
        Ok(id)
    }

    /// The questionnaire with this form id and version, if stored.
    pub async fn questionnaire_by_form(&self, form_id: &str, version: &str) -> Result<Option<QuestionnaireRow>, StoreError> {
        let r = sqlx::query("SELECT * FROM questionnaires WHERE form_id = $1 AND version = $2 ORDER BY id LIMIT 1").bind(form_id).bind(version).fetch_optional(&self.pool).await?;
        r.as_ref().map(questionnaire_from).transpose()
    }

    pub async fn questionnaires(&self) -> Result<Vec<QuestionnaireRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM questionnaires ORDER BY id DESC").fetch_all(&self.pool).await?;
        rows.iter().map(questionnaire_from).collect()
    }

    pub async fn questionnaire(&self, id: i64) -> Result<QuestionnaireRow, StoreError> {
        let r = sqlx::query("SELECT * FROM questionnaires WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        r.as_ref().map(questionnaire_from).transpose()?.ok_or(StoreError::NotFound { what: "问卷" })
    }

    /// Creates a campaign and one public link per unit. The campaign's organisation must
    /// be in scope and every unit in its subtree.
    pub async fn insert_campaign(&self, scope: &Scope, c: &NewCampaign) -> Result<i64, StoreError> {
        let owner = self.org(scope, c.org_id).await?;
        self.questionnaire(c.questionnaire_id).await?;
        if c.title.trim().is_empty() {
            return Err(StoreError::invalid("title", "请填写调研名称"));
        }
        if c.closes_on < c.opens_on {
            return Err(StoreError::invalid("closes_on", "结束日期不能早于开始日期"));
        }
        if c.units.is_empty() {
            return Err(StoreError::invalid("units", "请至少选择一个调研单位"));
        }
        let (lo, hi) = path_range(&owner.path);
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO campaigns (questionnaire_id, org_id, title, opens_on, closes_on, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(c.questionnaire_id)
            .bind(c.org_id)
            .bind(c.title.trim())
            .bind(c.opens_on.to_string())
            .bind(c.closes_on.to_string())
            .bind(&c.rules)
            .bind(c.created_by)
            .bind(crate::now_text())
            .fetch_one(&mut *tx)
            .await?;
        for (org, issued) in &c.units {
            let path: Option<String> = sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1 AND dissolved_on IS NULL").bind(*org).fetch_optional(&mut *tx).await?;
            match path {
                Some(p) if p >= lo && p < hi => {}
                _ => return Err(StoreError::invalid("units", format!("组织 {org} 不在 {} 的范围内", owner.name))),
            }
            if *issued < 0 {
                return Err(StoreError::invalid("issued", "发放数不能为负数"));
            }
            let token: String = crate::random_token()[..16].to_string();
            sqlx::query("INSERT INTO campaign_units (campaign_id, org_id, token, issued) VALUES ($1, $2, $3, $4)").bind(id).bind(*org).bind(token).bind(*issued).execute(&mut *tx).await?;
        }
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("campaigns", id)), serde_json::json!({"标题": c.title, "党组织": c.org_id})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Campaigns run by organisations in scope, newest first.
    pub async fn campaigns(&self, scope: &Scope) -> Result<Vec<Campaign>, StoreError> {
        let mut q = Sql::new(&format!("{CAMPAIGN_SELECT} WHERE 1 = 1"));
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY c.id DESC");
        q.query().fetch_all(&self.pool).await?.iter().map(campaign_from).collect()
    }

    pub async fn campaign(&self, scope: &Scope, id: i64) -> Result<Campaign, StoreError> {
        let mut q = Sql::new(&format!("{CAMPAIGN_SELECT} WHERE c.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        q.query().fetch_optional(&self.pool).await?.as_ref().map(campaign_from).transpose()?.ok_or(StoreError::NotFound { what: "调研" })
    }

    /// The units of a campaign in scope, by organisation code.
    pub async fn campaign_units(&self, scope: &Scope, campaign_id: i64) -> Result<Vec<CampaignUnit>, StoreError> {
        self.campaign(scope, campaign_id).await?;
        let rows = sqlx::query(&format!("SELECT {UNIT_COLS} FROM campaign_units u JOIN orgs o ON o.id = u.org_id WHERE u.campaign_id = $1 ORDER BY o.path"))
            .bind(campaign_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(unit_from).collect()
    }

    /// A public link's unit and campaign: the token is the respondent's only credential.
    pub async fn unit_by_token(&self, token: &str) -> Result<Option<(CampaignUnit, Campaign)>, StoreError> {
        let Some(r) = sqlx::query(&format!("SELECT {UNIT_COLS} FROM campaign_units u JOIN orgs o ON o.id = u.org_id WHERE u.token = $1")).bind(token).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let unit = unit_from(&r)?;
        let c = sqlx::query(&format!("{CAMPAIGN_SELECT} WHERE c.id = $1"))
            .bind(unit.campaign_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some((unit, campaign_from(&c)?)))
    }

    /// Sets 发放 for a unit of a campaign in scope.
    pub async fn set_issued(&self, scope: &Scope, campaign_id: i64, unit_id: i64, issued: i64) -> Result<(), StoreError> {
        self.campaign(scope, campaign_id).await?;
        if issued < 0 {
            return Err(StoreError::invalid("issued", "发放数不能为负数"));
        }
        let n = sqlx::query("UPDATE campaign_units SET issued = $1 WHERE id = $2 AND campaign_id = $3").bind(issued).bind(unit_id).bind(campaign_id).execute(&self.pool).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound { what: "调研单位" });
        }
        self.audit_write(scope, "update", ("campaigns", campaign_id), serde_json::json!({"调研单位": unit_id, "发放数": issued})).await
    }

    /// Replaces a campaign's valid-response rules (verdicts are computed when read, so
    /// every count follows at once).
    pub async fn set_campaign_rules(&self, scope: &Scope, campaign_id: i64, rules: &str) -> Result<(), StoreError> {
        self.campaign(scope, campaign_id).await?;
        let was: String = sqlx::query_scalar("SELECT rules FROM campaigns WHERE id = $1").bind(campaign_id).fetch_one(&self.pool).await?;
        sqlx::query("UPDATE campaigns SET rules = $1 WHERE id = $2").bind(rules).bind(campaign_id).execute(&self.pool).await?;
        self.audit_write(scope, "update", ("campaigns", campaign_id), crate::audit::changes([("有效问卷规则", Some(was), Some(rules.to_string()))])).await
    }

    /// The median duration of a campaign's online responses, in seconds (0 when none),
    /// computed in the database so that judging a million responses holds none of them.
    /// Responses of a campaign in scope.
    pub async fn campaign_response_count(&self, scope: &Scope, campaign_id: i64) -> Result<i64, StoreError> {
        self.campaign(scope, campaign_id).await?;
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE campaign_id = $1").bind(campaign_id).fetch_one(&self.pool).await?)
    }

    pub async fn campaign_median_duration(&self, scope: &Scope, campaign_id: i64) -> Result<f64, StoreError> {
        self.campaign(scope, campaign_id).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE campaign_id = $1 AND channel <> 'paper'").bind(campaign_id).fetch_one(&self.pool).await?;
        if n == 0 {
            return Ok(0.0);
        }
        let (offset, take) = if n % 2 == 1 { (n / 2, 1) } else { (n / 2 - 1, 2) };
        let mid: Vec<f64> = sqlx::query_scalar("SELECT duration_s FROM survey_responses WHERE campaign_id = $1 AND channel <> 'paper' ORDER BY duration_s LIMIT $2 OFFSET $3")
            .bind(campaign_id)
            .bind(take)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok(mid.iter().sum::<f64>() / mid.len().max(1) as f64)
    }

    /// Online responses whose device had already answered the campaign (the duplicate
    /// rule: the first response of a device counts, later ones do not).
    pub async fn repeated_device_responses(&self, scope: &Scope, campaign_id: i64) -> Result<std::collections::HashSet<i64>, StoreError> {
        self.campaign(scope, campaign_id).await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT r.id FROM survey_responses r WHERE r.campaign_id = $1 AND r.channel <> 'paper' AND EXISTS \
             (SELECT 1 FROM survey_responses e WHERE e.campaign_id = r.campaign_id AND e.device = r.device AND e.channel <> 'paper' AND e.id < r.id)",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().collect())
    }

    /// Streams a campaign's responses in submission order.
    pub async fn campaign_responses<E: From<StoreError>>(&self, scope: &Scope, campaign_id: i64, mut each: impl FnMut(ResponseRow) -> Result<(), E>) -> Result<(), E> {
        self.campaign(scope, campaign_id).await?;
        let sql = format!("SELECT {RESPONSE_COLS} FROM survey_responses r WHERE r.campaign_id = $1 ORDER BY r.id");
        let mut rows = sqlx::query(&sql).bind(campaign_id).fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(response_from(&r)?)?;
        }
        Ok(())
    }

    pub async fn response(&self, scope: &Scope, id: i64) -> Result<ResponseRow, StoreError> {
        let r = sqlx::query(&format!("SELECT {RESPONSE_COLS} FROM survey_responses r WHERE r.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        let r = r.as_ref().map(response_from).transpose()?.ok_or(StoreError::NotFound { what: "答卷" })?;
        self.campaign(scope, r.campaign_id).await?;
        Ok(r)
    }

    /// A response to read, with its campaign's title and questionnaire and its unit's name,
    /// if its unit lies in scope (the staff of a unit read its answers, as search finds
    /// them) or its campaign does.
    pub async fn response_for_reading(&self, scope: &Scope, id: i64) -> Result<(ResponseRow, Campaign, String), StoreError> {
        let r = sqlx::query(&format!("SELECT {RESPONSE_COLS} FROM survey_responses r WHERE r.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        let r = r.as_ref().map(response_from).transpose()?.ok_or(StoreError::NotFound { what: "答卷" })?;
        let mut q = Sql::new("SELECT o.name FROM campaign_units u JOIN orgs o ON o.id = u.org_id WHERE u.id = ");
        q.arg(r.unit_id);
        scope.orgs(&mut q, "o");
        let unit: Option<String> = q.query().fetch_optional(&self.pool).await?.map(|row| row.s("name")).transpose()?;
        let campaign = sqlx::query(&format!("{CAMPAIGN_SELECT} WHERE c.id = $1")).bind(r.campaign_id).fetch_one(&self.pool).await?;
        let campaign = campaign_from(&campaign)?;
        let unit = match unit {
            Some(u) => u,
            None => {
                self.campaign(scope, r.campaign_id).await.map_err(|_| StoreError::NotFound { what: "答卷" })?;
                sqlx::query_scalar("SELECT o.name FROM campaign_units u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1").bind(r.unit_id).fetch_one(&self.pool).await?
            }
        };
        Ok((r, campaign, unit))
    }

    /// Records a staff decision on a response's validity (None: back to the rules).
    pub async fn override_response(&self, scope: &Scope, id: i64, valid: Option<bool>, reason: &str, user: i64) -> Result<(), StoreError> {
        self.response(scope, id).await?;
        if valid.is_some() && reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "请填写人工认定的理由"));
        }
        sqlx::query("UPDATE survey_responses SET override_valid = $1, override_reason = $2, override_by = $3, override_at = $4 WHERE id = $5")
            .bind(valid.map(|v| v as i64))
            .bind(valid.map(|_| reason.trim().to_string()))
            .bind(user)
            .bind(crate::now_text())
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.audit_write(scope, "update", ("survey_responses", id), serde_json::json!({"人工认定有效": valid, "理由": reason.trim()})).await
    }

    /// A writer that owns one connection for response batches (SQLite: synchronous =
    /// FULL on it, so an acknowledged response survives a power cut).
    pub async fn response_writer(&self) -> Result<ResponseWriter, StoreError> {
        let mut conn = self.pool.acquire().await?.detach();
        if self.backend == Backend::Sqlite {
            conn.execute("PRAGMA synchronous = FULL").await?;
        }
        Ok(ResponseWriter { conn, backend: self.backend })
    }
}

pub struct ResponseWriter {
    conn: sqlx::AnyConnection,
    backend: Backend,
}

const RESPONSE_INSERT_COLS: [&str; 11] = ["campaign_id", "unit_id", "submission_id", "device", "channel", "entered_by", "started_at", "submitted_at", "duration_s", "answers", "missing"];

impl ResponseWriter {
    /// Writes a batch in one transaction; for each response, whether it was new (false:
    /// its submission id was already stored, so it is not a second response).
    pub async fn write(&mut self, batch: &[NewResponse]) -> Result<Vec<bool>, StoreError> {
        let mut tx = Connection::begin(&mut self.conn).await?;
        let mut inserted = std::collections::HashSet::new();
        for chunk in batch.chunks(500) {
            let mut sql = multi_insert_sql(self.backend, "survey_responses", &RESPONSE_INSERT_COLS, chunk.len());
            sql.push_str(" ON CONFLICT (campaign_id, submission_id) DO NOTHING RETURNING id, campaign_id, submission_id");
            let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 11);
            for r in chunk {
                args.extend([
                    Arg::I(r.campaign_id), Arg::I(r.unit_id), Arg::S(r.submission_id.clone()), Arg::S(r.device.clone()), Arg::S(r.channel.clone()),
                    Arg::OI(r.entered_by), Arg::S(r.started_at.clone()), Arg::S(r.submitted_at.clone()), Arg::OF(Some(r.duration_s)), Arg::S(r.answers.clone()), Arg::I(r.missing),
                ]);
            }
            let rows = crate::query::bind_all(sqlx::query(&sql), &args).fetch_all(&mut *tx).await?;
            for row in rows {
                let key = (row.i("campaign_id")?, row.s("submission_id")?);
                // A new response's open answers join the search index in the same
                // transaction, scoped to its unit's organisation.
                if let Some(r) = chunk.iter().find(|r| r.campaign_id == key.0 && r.submission_id == key.1).filter(|r| !r.passages.is_empty()) {
                    let id = row.i("id")?;
                    let org: Option<i64> = sqlx::query_scalar("SELECT org_id FROM campaign_units WHERE id = $1").bind(r.unit_id).fetch_optional(&mut *tx).await?;
                    for p in &r.passages {
                        sqlx::query("INSERT INTO search_passages (kind, item_id, part, org_id, title, body, terms) VALUES ('answer', $1, $2, $3, $4, $5, $6)")
                            .bind(id)
                            .bind(p.part)
                            .bind(org)
                            .bind(&p.title)
                            .bind(&p.body)
                            .bind(&p.terms)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                inserted.insert(key);
            }
        }
        tx.commit().await?;
        // Within one batch the same submission twice: only the first counts as new.
        let mut seen = std::collections::HashSet::new();
        Ok(batch.iter().map(|r| inserted.contains(&(r.campaign_id, r.submission_id.clone())) && seen.insert((r.campaign_id, r.submission_id.clone()))).collect())
    }
}

/// A questionnaire open to a member now: its title, last day, and the link of the unit
/// the member belongs to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenSurvey {
    pub title: String,
    pub closes_on: Date,
    pub token: String,
}

impl Store {
    /// Campaigns open on `today` with a unit at the member's organisation or one of its
    /// ancestors (a member answers for the unit they belong to).
    pub async fn open_surveys_for(&self, scope: &Scope, member_id: i64, today: Date) -> Result<Vec<OpenSurvey>, StoreError> {
        let (m, _) = self.member(scope, member_id).await?;
        let path: String = sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1").bind(m.org_id).fetch_one(&self.pool).await?;
        let ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
        let mut q = Sql::new("SELECT c.title, c.closes_on, u.token FROM campaign_units u JOIN campaigns c ON c.id = u.campaign_id WHERE c.opens_on <= ");
        q.arg(today).push(" AND c.closes_on >= ").arg(today).push(" AND u.org_id IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.arg(*id);
        }
        q.push(") ORDER BY c.closes_on, c.id");
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(OpenSurvey { title: r.s("title")?, closes_on: r.d("closes_on")?, token: r.s("token")? })).collect()
    }
}
