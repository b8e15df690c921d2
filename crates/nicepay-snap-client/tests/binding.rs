//! E-wallet account binding end to end against the simulator: bind, approve, customer token,
//! inquiry, refresh, unbind, and the refusals along the way.

use std::time::Duration;

use nicepay_snap::api::binding::{
    AccountBindingAdditionalInfo, AccountBindingRequest, AccountInquiryAdditionalInfo, AccountInquiryRequest,
    AccountUnbindingAdditionalInfo, AccountUnbindingRequest, BindingCustomer, CustomerTokenRequest,
};
use nicepay_snap::api::Extra;
use nicepay_snap::Error;
use nicepay_snap_client::{AsyncClient, Client, ClientError};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{BindingStatus, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

#[path = "common/sim.rs"]
mod sim;
use sim::config;

fn bind_request(info: &SimulatorInfo, order: &str, mitra: &str) -> AccountBindingRequest {
    AccountBindingRequest {
        partner_reference_no: order.into(),
        merchant_id: info.client_id.clone(),
        additional_data: BindingCustomer {
            user_id: "Budi Santoso".into(),
            email: "budi@example.com".into(),
            phone_no: "081234567890".into(),
        },
        additional_info: AccountBindingAdditionalInfo {
            mitra_cd: mitra.into(),
            callback_url: "https://merchant.example/binding/done".into(),
            extra: Extra::new(),
        },
    }
}

fn code_of(err: ClientError) -> String {
    match err {
        ClientError::Snap(Error::Api { response_code, .. }) => response_code.as_str().to_owned(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn bind_approve_token_inquire_refresh_unbind() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    let client = Client::new(
        config(&info),
        UreqTransport::builder().timeout(Duration::from_secs(5)).build(),
    );

    let bound = client.account_binding(&bind_request(&info, "bind-1", "ASTR")).unwrap();
    let reference_no = bound.reference_no.clone().unwrap();
    let redirect = bound.redirect_url.unwrap();
    assert!(redirect.starts_with(&info.base_url), "{redirect}");
    assert_eq!(sim.state().bindings[0].status, BindingStatus::Pending);
    // Same partnerReferenceNo again: duplicate.
    assert_eq!(
        code_of(
            client
                .account_binding(&bind_request(&info, "bind-1", "ASTR"))
                .unwrap_err()
        ),
        "4090701"
    );
    // Not a binding e-wallet: refused by the simulator (the SDK sends what it is given).
    assert_eq!(
        code_of(
            client
                .account_binding(&bind_request(&info, "bind-x", "DANA"))
                .unwrap_err()
        ),
        "4000701"
    );

    // No customer token before the customer approved.
    assert!(client
        .customer_token(&CustomerTokenRequest::authorization_code("000"))
        .is_err());

    // The customer approves at redirectUrl: the browser goes back to the callback with the code.
    let (status, location) = sim::http_get(&redirect);
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with("https://merchant.example/binding/done?authCode="),
        "{location}"
    );
    let auth_code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("authCode="))
        .unwrap()
        .to_owned();
    assert_eq!(sim::http_get(&redirect).0, 409, "approved once");

    let token = client
        .customer_token(&CustomerTokenRequest::authorization_code(&auth_code))
        .unwrap();
    assert!(token.access_token.is_some());
    assert!(!format!("{token:?}").contains(token.access_token.as_ref().unwrap().expose_secret()));
    let refresh = token.refresh_token.unwrap().expose_secret().to_owned();
    // The auth code buys one token only.
    assert_eq!(
        code_of(
            client
                .customer_token(&CustomerTokenRequest::authorization_code(&auth_code))
                .unwrap_err()
        ),
        "4017400"
    );

    let inquiry = |refresh: &str| {
        client.account_inquiry(&AccountInquiryRequest {
            partner_reference_no: "bind-1".into(),
            additional_info: AccountInquiryAdditionalInfo {
                refresh_token: refresh.into(),
                mitra_cd: "ASTR".into(),
                extra: Extra::new(),
            },
        })
    };
    let account = inquiry(&refresh).unwrap();
    assert_eq!(account.account_name.as_deref(), Some("Budi Santoso"));
    assert_eq!(account.additional_info.unwrap()["bindingStatus"], "BOUND");
    assert_eq!(code_of(inquiry("not-the-refresh-token").unwrap_err()), "4010800");

    // Refreshing replaces the refresh token.
    let renewed = client
        .customer_token(&CustomerTokenRequest::refresh_token(&refresh))
        .unwrap();
    let refresh2 = renewed.refresh_token.unwrap().expose_secret().to_owned();
    assert_ne!(refresh2, refresh);
    assert_eq!(code_of(inquiry(&refresh).unwrap_err()), "4010800");
    inquiry(&refresh2).unwrap();

    let unbind = |code: &str| {
        client.account_unbinding(&AccountUnbindingRequest {
            partner_reference_no: "bind-1".into(),
            merchant_id: info.client_id.clone(),
            additional_info: AccountUnbindingAdditionalInfo {
                reference_no: reference_no.clone(),
                mitra_cd: "ASTR".into(),
                auth_code: code.into(),
                extra: Extra::new(),
            },
        })
    };
    assert_eq!(code_of(unbind("wrong-code").unwrap_err()), "4010900");
    let unbound = unbind(&auth_code).unwrap();
    assert_eq!(unbound.unlink_result.as_deref(), Some("success"));
    assert_eq!(sim.state().bindings[0].status, BindingStatus::Unbound);
    assert_eq!(code_of(unbind(&auth_code).unwrap_err()), "4030915");
    assert!(inquiry(&refresh2).is_err(), "unbinding revoked the refresh token");
    // Bad input never reaches the simulator.
    let mut bad = bind_request(&info, "", "ASTR");
    bad.additional_data.email = "x".repeat(41);
    assert!(matches!(
        client.account_binding(&bad),
        Err(ClientError::Snap(Error::InvalidInput { .. }))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_async_client_binds_too() {
    let sim = Simulator::builder().start().await.unwrap();
    let info = sim.info().clone();
    let client = AsyncClient::new(config(&info), ReqwestTransport::new().unwrap());
    let bound = client
        .account_binding(&bind_request(&info, "bind-async", "ALLO"))
        .await
        .unwrap();
    assert!(bound.redirect_url.is_some());
    let err = client
        .customer_token(&CustomerTokenRequest::refresh_token("nothing"))
        .await
        .unwrap_err();
    assert_eq!(code_of(err), "4017400");
}
