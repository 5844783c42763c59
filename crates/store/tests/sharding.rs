//! The national layout of ARCHITECTURE.md ("National scale: the design on Citus"),
//! simulated on one PostgreSQL because Citus cannot be installed here: tables partitioned
//! by county-level region code, one partition standing for one shard. PostgreSQL's
//! partitioning has Citus's restriction on unique indexes, so what is shown here —
//! uniqueness through an index table, transfers across partitions in one transaction,
//! pruning to the counties a query names, the roll-up above county level from per-county
//! subtotals — is what the Citus layout relies on.

use sqlx::{Connection, Executor, Row};

const COUNTIES: [&str; 3] = ["330122", "330127", "330182"];

async fn plan_partitions(conn: &mut sqlx::PgConnection, sql: &str) -> Vec<String> {
    let row = sqlx::query(&format!("EXPLAIN (FORMAT JSON) {sql}")).fetch_one(&mut *conn).await.unwrap();
    let plan: serde_json::Value = row.get(0);
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        if let Some(rel) = v.get("Relation Name").and_then(|r| r.as_str()) {
            out.push(rel.to_string());
        }
        if let Some(children) = v.get("Plans").and_then(|p| p.as_array()) {
            children.iter().for_each(|c| walk(c, out));
        }
        if let Some(p) = v.get("Plan") {
            walk(p, out);
        }
        if let Some(a) = v.as_array() {
            a.iter().for_each(|c| walk(c, out));
        }
    }
    walk(&plan, &mut out);
    out.sort();
    out.dedup();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_partitioned_layout_keeps_its_promises() {
    let Some(url) = testkit::fresh_url(testkit::Db::Postgres).await else { return };
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    // Above county level: a reference table (a copy on every node under Citus).
    c.execute(
        "CREATE TABLE upper_orgs (id BIGINT PRIMARY KEY, parent_id BIGINT, path TEXT NOT NULL, name TEXT NOT NULL);
         INSERT INTO upper_orgs VALUES (1, NULL, '/1/', '省委'), (2, 1, '/1/2/', '市委');",
    )
    .await
    .unwrap();
    // Distributed on county_code: orgs, members (and under Citus every registry table).
    c.execute("CREATE TABLE orgs (county_code TEXT NOT NULL, id BIGINT NOT NULL, parent_id BIGINT, path TEXT NOT NULL, PRIMARY KEY (county_code, id)) PARTITION BY LIST (county_code)").await.unwrap();
    c.execute("CREATE TABLE members (county_code TEXT NOT NULL, id BIGINT NOT NULL, org_id BIGINT NOT NULL, id_blind TEXT NOT NULL, PRIMARY KEY (county_code, id)) PARTITION BY LIST (county_code)").await.unwrap();
    for county in COUNTIES {
        c.execute(format!("CREATE TABLE orgs_{county} PARTITION OF orgs FOR VALUES IN ('{county}')").as_str()).await.unwrap();
        c.execute(format!("CREATE TABLE members_{county} PARTITION OF members FOR VALUES IN ('{county}')").as_str()).await.unwrap();
    }
    // The restriction Citus shares: a unique index must include the distribution column.
    let refused = c.execute("CREATE UNIQUE INDEX members_citizen ON members (id_blind)").await.unwrap_err().to_string();
    assert!(refused.contains("partition") || refused.contains("分区"), "{refused}");
    // So citizen-ID uniqueness lives in an index table distributed on the key itself.
    c.execute("CREATE TABLE citizen_index (id_blind TEXT PRIMARY KEY, county_code TEXT NOT NULL, member_id BIGINT NOT NULL)").await.unwrap();

    // Each county: a county committee under the city, 4 towns, 3 branches each, members.
    let mut next_id = 100i64;
    let mut expected_total = 0i64;
    for (k, county) in COUNTIES.iter().enumerate() {
        let county_id = next_id;
        next_id += 1;
        let county_path = format!("/1/2/{county_id}/");
        sqlx::query("INSERT INTO orgs VALUES ($1, $2, 2, $3)").bind(county).bind(county_id).bind(&county_path).execute(&mut c).await.unwrap();
        for _town in 0..4 {
            let town = next_id;
            next_id += 1;
            let town_path = format!("{county_path}{town}/");
            sqlx::query("INSERT INTO orgs VALUES ($1, $2, $3, $4)").bind(county).bind(town).bind(county_id).bind(&town_path).execute(&mut c).await.unwrap();
            for _ in 0..3 {
                let branch = next_id;
                next_id += 1;
                sqlx::query("INSERT INTO orgs VALUES ($1, $2, $3, $4)").bind(county).bind(branch).bind(town).bind(format!("{town_path}{branch}/")).execute(&mut c).await.unwrap();
                for m in 0..(5 + k as i64) {
                    let id = next_id;
                    next_id += 1;
                    let blind = format!("bi-{branch}-{m}");
                    let mut tx = c.begin().await.unwrap();
                    sqlx::query("INSERT INTO citizen_index VALUES ($1, $2, $3)").bind(&blind).bind(county).bind(id).execute(&mut *tx).await.unwrap();
                    sqlx::query("INSERT INTO members VALUES ($1, $2, $3, $4)").bind(county).bind(id).bind(branch).bind(&blind).execute(&mut *tx).await.unwrap();
                    tx.commit().await.unwrap();
                    expected_total += 1;
                }
            }
        }
    }

    // The same person added in another county is refused by the index table, and the
    // refused transaction leaves no member behind.
    let taken: String = sqlx::query_scalar("SELECT id_blind FROM members WHERE county_code = $1 ORDER BY id LIMIT 1").bind(COUNTIES[0]).fetch_one(&mut c).await.unwrap();
    let mut tx = c.begin().await.unwrap();
    let dup = sqlx::query("INSERT INTO citizen_index VALUES ($1, $2, 999999)").bind(&taken).bind(COUNTIES[1]).execute(&mut *tx).await;
    assert!(dup.is_err(), "a citizen ID is unique across counties");
    drop(tx);
    let holder: String = sqlx::query_scalar("SELECT county_code FROM citizen_index WHERE id_blind = $1").bind(&taken).fetch_one(&mut c).await.unwrap();
    assert_eq!(holder, COUNTIES[0], "the refusal can name the county that holds the person");
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM members").fetch_one(&mut c).await.unwrap(), expected_total);

    // A transfer between counties: index row, old shard, new shard, one transaction.
    let (from, to) = (COUNTIES[0], COUNTIES[2]);
    let (member, blind): (i64, String) = sqlx::query_as("SELECT id, id_blind FROM members WHERE county_code = $1 ORDER BY id LIMIT 1").bind(from).fetch_one(&mut c).await.unwrap();
    let target: i64 = sqlx::query_scalar("SELECT id FROM orgs WHERE county_code = $1 ORDER BY path DESC LIMIT 1").bind(to).fetch_one(&mut c).await.unwrap();
    let mut tx = c.begin().await.unwrap();
    sqlx::query("UPDATE citizen_index SET county_code = $1 WHERE id_blind = $2").bind(to).bind(&blind).execute(&mut *tx).await.unwrap();
    sqlx::query("DELETE FROM members WHERE county_code = $1 AND id = $2").bind(from).bind(member).execute(&mut *tx).await.unwrap();
    sqlx::query("INSERT INTO members VALUES ($1, $2, $3, $4)").bind(to).bind(member).bind(target).bind(&blind).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let now: (String, i64) = sqlx::query_as("SELECT county_code, org_id FROM members WHERE id = $1").bind(member).fetch_one(&mut c).await.unwrap();
    assert_eq!(now, (to.to_string(), target));
    assert_eq!(sqlx::query_scalar::<_, String>("SELECT county_code FROM citizen_index WHERE id_blind = $1").bind(&blind).fetch_one(&mut c).await.unwrap(), to);

    // Routing: a county's query touches its partition only; a city's the counties named.
    let one = plan_partitions(&mut c, &format!("SELECT COUNT(*) FROM members WHERE county_code = '{}'", COUNTIES[1])).await;
    assert_eq!(one, [format!("members_{}", COUNTIES[1])], "router query");
    let two = plan_partitions(&mut c, &format!("SELECT COUNT(*) FROM members WHERE county_code IN ('{}', '{}')", COUNTIES[0], COUNTIES[2])).await;
    assert_eq!(two, [format!("members_{}", COUNTIES[0]), format!("members_{}", COUNTIES[2])]);
    let all = plan_partitions(&mut c, "SELECT COUNT(*) FROM members").await;
    assert_eq!(all.len(), COUNTIES.len(), "a national count crosses every shard: {all:?}");

    // The roll-up: each county sums its own subtree where it lives (one row per county
    // root); above the county the coordinator adds those rows up upper_orgs.
    let per_county: Vec<(String, i64)> = sqlx::query_as(
        "SELECT o.county_code, COUNT(m.id) FROM orgs o JOIN members m ON m.county_code = o.county_code AND m.org_id = o.id GROUP BY o.county_code ORDER BY o.county_code",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let upper: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, parent_id FROM upper_orgs ORDER BY path DESC").fetch_all(&mut c).await.unwrap();
    let mut totals: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for (_, n) in &per_county {
        *totals.entry(2).or_default() += n; // every county root's parent is the city
    }
    for (id, parent) in &upper {
        if let Some(p) = parent {
            let n = totals.get(id).copied().unwrap_or(0);
            *totals.entry(*p).or_default() += n;
        }
    }
    // A direct count over the whole tree (what a single database would do).
    let direct: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members m JOIN orgs o ON o.county_code = m.county_code AND o.id = m.org_id WHERE o.path LIKE '/1/%'").fetch_one(&mut c).await.unwrap();
    assert_eq!(totals[&1], direct);
    assert_eq!(totals[&1], expected_total);
    assert_eq!(per_county.len(), COUNTIES.len());
}
