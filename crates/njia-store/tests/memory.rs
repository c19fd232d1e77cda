//! The page cache a connection may hold: large for imports, capped for the app.

mod common;

use common::temp_store;
use njia_model::service::Service;
use njia_store::search::SearchQuery;

#[test]
fn a_store_opens_with_a_large_cache_and_can_be_capped_without_losing_anything() {
    let (_dir, mut store) = temp_store();
    assert_eq!(
        store.page_cache_kib().unwrap(),
        njia_store::DEFAULT_PAGE_CACHE_KIB
    );
    let services: Vec<Service> = (0..500)
        .map(|i| {
            Service::new(
                format!("svc-{i}"),
                format!("Clinic number {i}"),
                -1.0 - f64::from(i) / 1000.0,
                36.8,
            )
        })
        .collect();
    store.import_services(&services, |_, _| {}).unwrap();

    store.set_page_cache_kib(2_048).unwrap();
    assert_eq!(store.page_cache_kib().unwrap(), 2_048);
    // The capped connection still answers from the file.
    let hits = store
        .search(&SearchQuery {
            text: "clinic number 42".into(),
            near: None,
            limit: 5,
        })
        .unwrap();
    assert!(hits.iter().any(|h| h.id == "svc-42"), "{hits:?}");
}
