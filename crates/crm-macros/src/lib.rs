//! `#[rules]`: a field's validation rules, written once as validator's `#[validate(..)]`, also
//! become its OpenAPI bounds (`#[schema(..)]` on bodies, `#[param(..)]` on query parameters), so
//! the document and the check that enforces it cannot disagree.
//!
//! | `#[validate(..)]`                  | OpenAPI                                           |
//! |------------------------------------|---------------------------------------------------|
//! | `length(min = a, max = b)`         | `min_length`/`max_length` (`min_items`/`max_items` on lists) |
//! | `length(equal = n)`                | both bounds `n`                                   |
//! | `range(min = a, max = b)`          | `minimum`/`maximum`                               |
//! | `custom(function = "validation::not_blank")` | `pattern = "\S"`                        |
//! | `custom(function = "validation::username")`  | the username pattern                    |
//! | `custom(function = "validation::code")`      | the code pattern                        |
//!
//! Other rules (money signs, e-mail, nested bodies) have no OpenAPI counterpart and add nothing.
//! The bounds go behind `cfg_attr(feature = "openapi", ..)`, like the derives they feed.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Data, DeriveInput, Expr, Fields, Meta, Token, Type, parse_macro_input};

/// Put it above the `#[derive(..)]` of a request body or query type.
#[proc_macro_attribute]
pub fn rules(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[rules] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let mut input = parse_macro_input!(item as DeriveInput);
    match expand(&mut input) {
        Ok(()) => quote!(#input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: &mut DeriveInput) -> syn::Result<()> {
    // Query types derive `IntoParams`, whose field attribute is `param`; bodies derive `ToSchema`.
    let derives_params = input
        .attrs
        .iter()
        .any(|a| quote!(#a).to_string().contains("IntoParams"));
    let attr_name = if derives_params {
        quote!(param)
    } else {
        quote!(schema)
    };
    let Data::Struct(data) = &mut input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[rules] applies to structs",
        ));
    };
    let Fields::Named(fields) = &mut data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[rules] applies to structs with named fields",
        ));
    };
    for field in &mut fields.named {
        let is_list = is_list(&field.ty);
        let mut bounds: Vec<Tokens> = Vec::new();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("validate")) {
            let rules = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
            for rule in &rules {
                bounds.extend(bounds_of(rule, is_list)?);
            }
        }
        if !bounds.is_empty() {
            field.attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "openapi", #attr_name(#(#bounds),*))]
            ));
        }
    }
    Ok(())
}

/// Whether the field holds a list (under any number of `Option`s).
fn is_list(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "Vec" {
        return true;
    }
    if last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return is_list(inner);
    }
    false
}

fn bounds_of(rule: &Meta, is_list: bool) -> syn::Result<Vec<Tokens>> {
    let name = rule
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let args = match rule {
        Meta::List(list) => {
            Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())?
        }
        _ => Punctuated::new(),
    };
    let value = |key: &str| -> Option<Expr> {
        args.iter().find_map(|m| match m {
            Meta::NameValue(nv) if nv.path.is_ident(key) => Some(nv.value.clone()),
            _ => None,
        })
    };
    let (min_key, max_key) = if is_list {
        (quote!(min_items), quote!(max_items))
    } else {
        (quote!(min_length), quote!(max_length))
    };
    let mut out = Vec::new();
    match name.as_str() {
        "length" => {
            if let Some(n) = value("equal") {
                out.push(quote!(#min_key = #n));
                out.push(quote!(#max_key = #n));
            }
            if let Some(n) = value("min") {
                out.push(quote!(#min_key = #n));
            }
            if let Some(n) = value("max") {
                out.push(quote!(#max_key = #n));
            }
        }
        "range" => {
            if let Some(n) = value("min") {
                out.push(quote!(minimum = #n));
            }
            if let Some(n) = value("max") {
                out.push(quote!(maximum = #n));
            }
        }
        "custom" => {
            let function = match value("function") {
                Some(Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                })) => s.value(),
                _ => String::new(),
            };
            match function.rsplit("::").next().unwrap_or_default() {
                "not_blank" => out.push(quote!(pattern = r"\S")),
                "username" => out.push(quote!(pattern = r"^[a-z][a-z0-9_.-]{1,31}$")),
                "code" => out.push(quote!(pattern = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")),
                _ => {}
            }
        }
        _ => {}
    }
    Ok(out)
}
