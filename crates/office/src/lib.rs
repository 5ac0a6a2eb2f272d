//! Files around a Party document: the DOCX the committee issues (36-HD/VPTW
//! layout), its PDF, and the attachments it receives (type sniffing, text
//! extraction, storage under the data folder).
pub mod docx;
pub mod extract;
pub mod pdf;
pub mod sniff;
pub mod store;
