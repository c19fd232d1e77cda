//! The shared conformance suite of njia-server-database, on a fresh PostgreSQL database:
//! the PostgreSQL backend behaves exactly like the SQLite one.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_backend_passes_the_conformance_suite() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    njia_server_database::testsuite::run_all(db).await;
}
