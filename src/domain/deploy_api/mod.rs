//! HTTP deploy services (a blue/green deploy API): a runbook's `curl` lines aimed at one,
//! recognised so the console can run them itself, and their answers judged by status and
//! body.

pub mod curl_line;
pub mod judge;

pub use curl_line::{CurlCall, parse_curl_line};
pub use judge::{Verdict, judge};
