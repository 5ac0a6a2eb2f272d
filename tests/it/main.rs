//! One integration-test binary (link time on 2 cores): storage stories on
//! both engines, HTTP routes, the authorization matrix, the command line and
//! a browser smoke test.
mod authz_matrix;
mod browser;
mod campaign;
mod cli;
mod document;
mod document_http;
mod http;
mod org;
mod storage;
mod support;
