//! Integration tests of linli-records: one binary, a module per area.

mod convergence;
mod csv_round_trip;
mod fold_order;
mod generated_street;
mod older_documents;
mod street_round_trip;
