//! Members: the roll of each organisation, records, search, entry and leaving.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::member::{ArchiveMaterial, LeaveReason, Member, NewMemberInput};
use domain::org::OrgLevel;
use domain::{CitizenId, Date, Labelled};
use sqlx::any::AnyRow;

pub(crate) const MEMBER_COLS: &str = "m.id, m.org_id, m.group_id, m.name, m.sex, m.ethnicity, m.birth_date, m.citizen_id, \
    m.education, m.occupation, m.phone, m.joined_on, m.joined_precision, m.full_on, m.full_precision, m.status, m.is_mobile, m.is_lost_contact, m.is_abroad, \
    m.archive_location, m.archive_materials, m.left_on, m.left_reason, m.left_note";

pub(crate) fn member_from(r: &AnyRow, vault: &vault::Keyring) -> Result<Member, StoreError> {
    let raw_id = r.sealed("citizen_id", vault)?;
    let citizen_id = CitizenId::parse(&raw_id).map_err(|_| StoreError::Corrupt(format!("citizen_id of member {}", r.i("id").unwrap_or(0))))?;
    let materials = r.s("archive_materials")?;
    Ok(Member {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        group_id: r.oi("group_id")?,
        name: r.s("name")?,
        sex: r.e("sex")?,
        ethnicity: r.s("ethnicity")?,
        birth_date: r.d("birth_date")?,
        citizen_id,
        education: r.e("education")?,
        occupation: r.e("occupation")?,
        phone: r.osealed("phone", vault)?,
        joined_on: r.d("joined_on")?,
        joined_precision: domain::dates::Precision::from_code(&r.s("joined_precision")?),
        full_on: r.od("full_on")?,
        full_precision: domain::dates::Precision::from_code(&r.s("full_precision")?),
        status: r.e("status")?,
        is_mobile: r.b("is_mobile")?,
        is_lost_contact: r.b("is_lost_contact")?,
        is_abroad: r.b("is_abroad")?,
        archive_location: r.os("archive_location")?,
        archive_materials: materials_from(&materials),
        left_on: r.od("left_on")?,
        left_reason: r.oe("left_reason")?,
        left_note: r.os("left_note")?,
    })
}

/// Decodes the `archive_materials` column.
pub(crate) fn materials_from(text: &str) -> Vec<ArchiveMaterial> {
    text.split(',').filter(|s| !s.is_empty()).filter_map(ArchiveMaterial::parse).collect()
}

/// Encodes archive materials for the `archive_materials` column.
pub fn materials_text(m: &[ArchiveMaterial]) -> String {
    m.iter().map(|x| x.code()).collect::<Vec<_>>().join(",")
}

impl Store {
    /// A member with the name of the organisation holding the relationship, if in scope.
    pub async fn member(&self, scope: &Scope, id: i64) -> Result<(Member, String), StoreError> {
        let mut q = Sql::new(&format!("SELECT {MEMBER_COLS}, o.name AS org_name FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = "));
        q.arg(id);
        scope.members(&mut q, "m", "o");
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "党员" })?;
        Ok((member_from(&row, self.vault())?, row.s("org_name")?))
    }

    /// Active members whose relationship sits directly in `org_id` (or, for a 党小组, its
    /// members), by name; with the total for paging.
    pub async fn org_members(&self, scope: &Scope, org_id: i64, offset: i64, limit: i64) -> Result<(Vec<Member>, i64), StoreError> {
        let org = self.org(scope, org_id).await?;
        let col = if org.level == OrgLevel::Group { "m.group_id" } else { "m.org_id" };
        let mut count = Sql::new(&format!("SELECT COUNT(*) AS n FROM members m WHERE m.left_on IS NULL AND {col} = "));
        count.arg(org_id);
        let total = count.query().fetch_one(&self.pool).await?.i("n")?;
        let mut q = Sql::new(&format!("SELECT {MEMBER_COLS} FROM members m WHERE m.left_on IS NULL AND {col} = "));
        q.arg(org_id).push(" ORDER BY m.id LIMIT ").arg(limit.clamp(1, 1000)).push(" OFFSET ").arg(offset.max(0));
        let rows = q.query().fetch_all(&self.pool).await?;
        Ok((rows.iter().map(|r| member_from(r, self.vault())).collect::<Result<_, _>>()?, total))
    }

    /// Members in scope whose name contains `name`, with their organisation's name.
    pub async fn search_members(&self, scope: &Scope, name: &str, limit: i64) -> Result<Vec<(Member, String)>, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(Vec::new());
        }
        let escaped = name.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let mut q = Sql::new(&format!("SELECT {MEMBER_COLS}, o.name AS org_name FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.name LIKE "));
        q.arg(format!("%{escaped}%")).push(" ESCAPE '\\'");
        scope.members(&mut q, "m", "o");
        q.push(" ORDER BY m.left_on IS NOT NULL, m.name, m.id LIMIT ").arg(limit.clamp(1, 500));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((member_from(r, self.vault())?, r.s("org_name")?))).collect()
    }

    /// Enters a member. Refuses (naming the field) an invalid record, an organisation
    /// outside scope or one that cannot hold members, or a citizen ID already registered.
    pub async fn insert_member(&self, scope: &Scope, input: &NewMemberInput) -> Result<Member, StoreError> {
        let m = input.validate()?;
        let org = self.org(scope, m.org_id).await.map_err(|_| crate::orgs::org_field_error("org_id", m.org_id))?;
        if !org.level.holds_members() {
            return Err(StoreError::invalid("org_id", format!("{}不能直接接收党员组织关系，请选择党支部", org.level.label())));
        }
        if let Some(g) = m.group_id {
            let group = self.org(scope, g).await.map_err(|_| crate::orgs::org_field_error("group_id", g))?;
            if group.level != OrgLevel::Group || group.parent_id != Some(org.id) {
                return Err(StoreError::invalid("group_id", format!("“{}”不是“{}”下的党小组", group.name, org.name)));
            }
        }
        let mut tx = self.pool.begin().await?;
        let id = insert_member_tx(&mut tx, self.vault(), &m).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("members", id)), serde_json::json!({"姓名": m.name, "身份证号": m.citizen_id.masked(), "党组织": org.name})).await?;
        tx.commit().await?;
        Ok(self.member(scope, id).await?.0)
    }

    /// Records that a member left the roll (转出, 出党, 去世 …). The record stays.
    pub async fn member_leave(&self, scope: &Scope, id: i64, on: Date, reason: LeaveReason, note: Option<&str>) -> Result<(), StoreError> {
        let (m, _) = self.member(scope, id).await?;
        if let Some(d) = m.left_on {
            return Err(StoreError::invalid("left_on", format!("该党员已于 {d} 减少，不能重复办理")));
        }
        if on < m.joined_on {
            return Err(StoreError::invalid("left_on", format!("减少日期 {on} 早于入党时间 {}", m.joined_on)));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE members SET left_on = $1, left_reason = $2, left_note = $3 WHERE id = $4 AND left_on IS NULL")
            .bind(on.to_string())
            .bind(reason.code())
            .bind(note)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE orgs SET member_count = member_count - 1 WHERE id = $1").bind(m.org_id).execute(&mut *tx).await?;
        crate::audit::log(&mut tx, scope.actor(), "update", Some(("members", id)), crate::audit::changes([("减少日期", None, Some(on.to_string())), ("减少原因", None, Some(reason.label().to_string()))])).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes a checked member in the caller's transaction, refusing a citizen ID already on
/// file, and keeps the organisation's member count.
pub(crate) async fn insert_member_tx(tx: &mut sqlx::Transaction<'_, sqlx::Any>, vault: &vault::Keyring, m: &domain::member::NewMember) -> Result<i64, StoreError> {
    let index = vault.blind_index(m.citizen_id.reveal());
    let dup: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE citizen_idx = $1").bind(&index).fetch_optional(&mut **tx).await?;
    if dup.is_some() {
        return Err(StoreError::invalid("citizen_id", format!("身份证号 {} 已登记过党员信息，不能重复登记；如需转入请办理组织关系转接", m.citizen_id)));
    }
    let mut q = Sql::new(
        "INSERT INTO members (org_id, group_id, name, sex, ethnicity, birth_date, citizen_id, citizen_idx, education, occupation, phone, \
         joined_on, joined_precision, full_on, full_precision, status, is_mobile, archive_location, archive_materials, created_at) VALUES (",
    );
    q.arg(m.org_id).push(", ").arg(m.group_id).push(", ").arg(m.name.clone()).push(", ").arg(m.sex.code());
    q.push(", ").arg(m.ethnicity.clone()).push(", ").arg(m.birth_date).push(", ").arg(vault.seal(m.citizen_id.reveal())).push(", ").arg(index);
    let phone = crate::sealed::seal_optional(vault, m.phone.as_deref());
    q.push(", ").arg(m.education.code()).push(", ").arg(m.occupation.code()).push(", ").arg(phone);
    q.push(", ").arg(m.joined_on).push(", ").arg(m.joined_precision.code()).push(", ").arg(m.full_on).push(", ").arg(m.full_precision.code());
    q.push(", ").arg(m.status.code()).push(", ").arg(m.is_mobile);
    q.push(", ").arg(m.archive_location.clone()).push(", ").arg(materials_text(&m.archive_materials));
    q.push(", ").arg(crate::now_text()).push(") RETURNING id");
    let id = q.query().fetch_one(&mut **tx).await?.i("id")?;
    sqlx::query("UPDATE orgs SET member_count = member_count + 1 WHERE id = $1").bind(m.org_id).execute(&mut **tx).await?;
    Ok(id)
}
