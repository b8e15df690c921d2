//! Integration tests: real HTTP against a simulator on loopback, requests built by the core's
//! `Config::prepare_*`.
#![allow(dead_code, unreachable_pub, missing_docs)]

mod admin;
mod common;
mod dashboard;
mod errors;
mod faults;
mod flow;
mod hardening;
mod services;
