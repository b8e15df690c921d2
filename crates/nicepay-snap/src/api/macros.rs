//! The struct declarations every payload shares. Each macro takes a struct declaration (docs
//! and attributes included) and emits it with the payload derives: `Debug`, `Clone`,
//! `PartialEq`, serde with camelCase JSON names, and `schemars::JsonSchema` under the `schema`
//! feature. Field order, names and types stay exactly as written: they are the JSON.
//! [`outbound!`] and [`inbound!`] take their fields without `pub`: every payload field is public.

/// A payload with the common derives and nothing else.
macro_rules! payload {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "camelCase")]
        pub struct $name { $($body)* }
    };
}

/// A payload the SDK sends: every `Option` field is left out of the JSON when `None`.
/// `..marketplace_fees,` stands for the five optional marketplace fee fields (`msId`, `msFee`,
/// `msFeeType`, `mbFee`, `mbFeeType`).
macro_rules! outbound {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        outbound!(@fields [$(#[$meta])* pub struct $name] [] $($fields)*);
    };
    (@fields [$($head:tt)*] [$($done:tt)*]) => {
        payload! { $($head)* { $($done)* } }
    };
    // NICEPAY's marketplace and merchant bank fee fields, shared by the `additionalInfo` of
    // QRIS generate, VA create and e-wallet payment.
    (@fields $head:tt [$($done:tt)*] ..marketplace_fees, $($rest:tt)*) => {
        outbound!(@fields $head [$($done)*]
            /// Marketplace id.
            ms_id: Option<String>,
            /// Marketplace fee.
            ms_fee: Option<String>,
            /// Marketplace fee type.
            ms_fee_type: Option<String>,
            /// Merchant bank fee.
            mb_fee: Option<String>,
            /// Merchant bank fee type.
            mb_fee_type: Option<String>,
            $($rest)*
        );
    };
    (@fields $head:tt [$($done:tt)*] $(#[$fmeta:meta])* $field:ident: Option<$ty:ty>, $($rest:tt)*) => {
        outbound!(@fields $head [$($done)*
            $(#[$fmeta])*
            #[serde(skip_serializing_if = "Option::is_none")]
            pub $field: Option<$ty>,
        ] $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*] $(#[$fmeta:meta])* $field:ident: $ty:ty, $($rest:tt)*) => {
        outbound!(@fields $head [$($done)* $(#[$fmeta])* pub $field: $ty,] $($rest)*);
    };
}

/// A payload the SDK receives: every field may be absent (`#[serde(default)]`) and unknown
/// fields are kept in `extra`, so new NICEPAY fields never break parsing. With a response code
/// (`pub struct QrisQueryResponse("2005100")`) it is a SNAP response, led by the mandatory
/// `responseCode` and `responseMessage`.
macro_rules! inbound {
    ($(#[$meta:meta])* pub struct $name:ident $(($code:literal))? {
        $($(#[$fmeta:meta])* $field:ident: $ty:ty,)*
    }) => {
        payload! {
            $(#[$meta])*
            pub struct $name {
                $(
                    #[doc = concat!(" `", $code, "`.")]
                    pub response_code: $crate::response::ResponseCode,
                    /// `Successful`.
                    pub response_message: String,
                )?
                $(
                    $(#[$fmeta])*
                    #[serde(default)]
                    pub $field: $ty,
                )*
                /// Any other fields.
                #[serde(flatten)]
                pub extra: $crate::api::Extra,
            }
        }
    };
}
