//! One integration-test binary (link time on 2 cores): storage stories on
//! both engines, HTTP routes, the authorization matrix, the command line and
//! a browser smoke test.
mod authz_matrix;
mod browser;
mod campaign;
mod campaign_http;
mod cli;
mod document;
mod document_http;
mod http;
mod mail;
mod org;
mod scale;
mod smtp_sink;
mod storage;
mod support;
