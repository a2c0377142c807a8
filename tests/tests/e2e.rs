//! End-to-end tests: the real `linli-relay` binary on a loopback port, real
//! SQLite files in temporary folders, real websocket peers (linli's client,
//! raw protocol peers, samod, and automerge-repo JavaScript when installed).

mod e2e {
    pub mod access_matrix;
    pub mod auth;
    pub mod backup;
    pub mod bad_input;
    pub mod chain_of_heads;
    pub mod chaos;
    pub mod check;
    pub mod cli;
    pub mod client_sync;
    pub mod crash;
    pub mod crash_loop;
    pub mod disk_full;
    pub mod district;
    pub mod district_cli;
    pub mod fault_proxy;
    pub mod field_app;
    pub mod first_sync_resume;
    pub mod flaky_network;
    pub mod fleet;
    pub mod health;
    pub mod hostile;
    pub mod http;
    pub mod hub_postgres;
    pub mod interop_js;
    pub mod interop_samod;
    pub mod large_fresh_fetch;
    pub mod limits;
    pub mod log_privacy;
    pub mod long_offline;
    pub mod memory;
    pub mod memory_budget;
    pub mod metrics;
    pub mod office;
    pub mod office_api;
    pub mod raw_peer;
    pub mod records_cli;
    pub mod rejoin;
    pub mod relay_process;
    pub mod revocation;
    pub mod samod_relay;
    pub mod services_notices;
    pub mod sign_in_link;
    pub mod tls;
    pub mod unavailable;
    pub mod upgrade;
    pub mod walkthroughs;
}
