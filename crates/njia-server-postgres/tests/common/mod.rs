//! A fresh, uniquely named PostgreSQL database for each test, dropped when the test ends
//! (also when it panics).
//!
//! The server is `NJIA_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`,
//! a role that may create databases). No server there is a failure, not a skip: set
//! `NJIA_SKIP_POSTGRES=1` to skip on purpose.

#![allow(dead_code)]

use njia_server_postgres::PostgresDatabase;
use tokio_postgres::NoTls;

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server's URL, or `None` (with the reason printed) when PostgreSQL tests are skipped.
pub fn server_url() -> Option<String> {
    if std::env::var("NJIA_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("skipped: NJIA_SKIP_POSTGRES=1, so the PostgreSQL backend is not tested");
        return None;
    }
    Some(std::env::var("NJIA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_string()))
}

/// `url` pointing at database `name` instead (URL or key=value form).
pub fn with_database(url: &str, name: &str) -> String {
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        let scheme = &url[..url.len() - rest.len()];
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let authority = main.split('/').next().unwrap_or(main);
        let mut out = format!("{scheme}{authority}/{name}");
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        out
    } else {
        format!("{url} dbname={name}")
    }
}

async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "no PostgreSQL answers at {url} ({}). Start one, point NJIA_TEST_DATABASE_URL at \
             it (a role that may CREATE DATABASE), or set NJIA_SKIP_POSTGRES=1 to skip these tests",
                njia_server_postgres::describe(&e)
            )
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A database of its own for one test; dropped with this value.
pub struct TestDatabase {
    pub url: String,
    server: String,
    name: String,
}

impl TestDatabase {
    /// Creates the database, or returns `None` when PostgreSQL tests are skipped.
    pub async fn create() -> Option<Self> {
        let server = server_url()?;
        let name = format!("njia_test_{}", uuid::Uuid::new_v4().simple());
        admin(&server)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot create the test database {name}: {}",
                    njia_server_postgres::describe(&e)
                )
            });
        Some(Self {
            url: with_database(&server, &name),
            server,
            name,
        })
    }

    pub async fn connect(&self) -> PostgresDatabase {
        PostgresDatabase::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.url))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                admin(&server)
                    .await
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

#[test]
fn urls_point_at_the_test_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/db?sslmode=disable", "t1"),
        "postgresql://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    assert_eq!(
        with_database("host=h user=u", "t1"),
        "host=h user=u dbname=t1"
    );
}
