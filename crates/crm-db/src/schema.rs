//! Diesel's view of the tables, shared by both backends (only portable column types).

diesel::table! {
    departments (id) {
        id -> BigInt,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    roles (id) {
        id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        data_scope -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        code -> Nullable<Text>,
    }
}

diesel::table! {
    role_permissions (role_id, permission) {
        role_id -> BigInt,
        permission -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        department_id -> BigInt,
        enabled -> Bool,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    user_roles (user_id, role_id) {
        user_id -> BigInt,
        role_id -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> BigInt,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        expires_on -> Nullable<Date>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (username) {
        username -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dictionary_items (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        name_en -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        sort_order -> Integer,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        probability -> Nullable<SmallInt>,
    }
}

diesel::table! {
    company_settings (id) {
        id -> Integer,
        data -> Text,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        changes -> Text,
        customer_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> departments (department_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_roles -> roles (role_id));
diesel::joinable!(role_permissions -> roles (role_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(audit_log -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    roles,
    role_permissions,
    users,
    user_roles,
    sessions,
    refresh_tokens,
    api_tokens,
    login_throttle,
    dictionary_items,
    company_settings,
    audit_log,
    app_secrets,
    idempotency_keys,
    customers,
    contacts,
    customer_transfers,
    pool_moves,
    webhooks,
    webhook_subscriptions,
    webhook_events,
    webhook_deliveries,
    webhook_attempts,
    notifications,
    activities,
    reminders,
    products,
    document_numbers,
    orders,
    order_lines,
    payment_installments,
    receipts,
    receipt_allocations,
    order_records,
    receivable_days,
    receivable_months,
    customer_pipeline,
    customer_grams,
    competitors,
    opportunities,
    opportunity_moves,
    opportunity_contacts,
    opportunity_competitors,
    opportunity_pipeline,
    quotes,
    quote_lines,
    expenses,
    expense_months,
    expense_department_months,
    tickets,
    ticket_events,
    articles,
    article_reads,
    article_votes,
    article_grams,
    documents,
    imports,
);

diesel::table! {
    customers (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        short_name -> Nullable<Text>,
        customer_type -> Text,
        level -> Text,
        grade -> Nullable<SmallInt>,
        grade_manual -> Bool,
        industry_id -> Nullable<BigInt>,
        region_id -> Nullable<BigInt>,
        source_id -> Nullable<BigInt>,
        size -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_key -> Nullable<Text>,
        website -> Nullable<Text>,
        website_key -> Nullable<Text>,
        owner_id -> BigInt,
        notes -> Nullable<Text>,
        review_status -> Text,
        signed_total -> BigInt,
        last_contact_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
        version -> Integer,
        owner_since -> Nullable<Timestamp>,
        pooled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        enabled -> Bool,
        description -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    webhook_subscriptions (event, webhook_id) {
        event -> Text,
        webhook_id -> BigInt,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        event -> Text,
        occurred_at -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    pool_moves (id) {
        id -> BigInt,
        customer_id -> BigInt,
        action -> Text,
        user_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        rule -> Nullable<Text>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        customer_id -> BigInt,
        name -> Text,
        title -> Nullable<Text>,
        mobile -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        im -> Nullable<Text>,
        birthday -> Nullable<Date>,
        notes -> Nullable<Text>,
        is_key -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    customer_transfers (id) {
        id -> BigInt,
        from_user_id -> BigInt,
        to_user_id -> BigInt,
        reason -> Text,
        moved -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        entity -> Nullable<Text>,
        entity_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        dedup_key -> Nullable<Text>,
        email_state -> Nullable<Text>,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        user_id -> BigInt,
        customer_id -> BigInt,
        activity_id -> Nullable<BigInt>,
        due_on -> Date,
        note -> Text,
        done_at -> Nullable<Timestamp>,
        notified_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        opportunity_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    activity_days (owner_id, day, type_id) {
        owner_id -> BigInt,
        day -> Date,
        type_id -> BigInt,
        activities -> BigInt,
    }
}

diesel::table! {
    activities (id) {
        id -> BigInt,
        customer_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        owner_id -> BigInt,
        type_id -> BigInt,
        occurred_at -> Timestamp,
        summary -> Text,
        outcome -> Nullable<Text>,
        next_step_on -> Nullable<Date>,
        next_step_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        opportunity_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(activities -> customers (customer_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(reminders -> customers (customer_id));
diesel::joinable!(contacts -> customers (customer_id));
diesel::joinable!(customers -> users (owner_id));
diesel::joinable!(pool_moves -> customers (customer_id));
diesel::joinable!(webhook_subscriptions -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    products (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        unit -> Text,
        list_price -> BigInt,
        renewable -> Bool,
        service_months -> Nullable<Integer>,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    document_numbers (kind, day) {
        kind -> Text,
        day -> Date,
        last_seq -> Integer,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        number -> Text,
        customer_id -> BigInt,
        owner_id -> BigInt,
        opportunity_id -> Nullable<BigInt>,
        status -> Text,
        signed_on -> Nullable<Date>,
        service_start -> Nullable<Date>,
        service_end -> Nullable<Date>,
        total -> BigInt,
        notes -> Nullable<Text>,
        renewal_notified_on -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        contract_no -> Nullable<Text>,
        renewed -> Bool,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        order_id -> BigInt,
        line_no -> Integer,
        product_id -> BigInt,
        quantity -> Integer,
        unit_price -> BigInt,
        discount -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    payment_installments (id) {
        id -> BigInt,
        order_id -> BigInt,
        due_date -> Date,
        amount -> BigInt,
        dunning_stage -> SmallInt,
        created_at -> Timestamp,
        owner_id -> Nullable<BigInt>,
        in_force -> Bool,
        received -> BigInt,
    }
}

diesel::table! {
    receivable_days (owner_id, due_date) {
        owner_id -> BigInt,
        due_date -> Date,
        outstanding -> BigInt,
    }
}

diesel::table! {
    receivable_months (owner_id, month) {
        owner_id -> BigInt,
        month -> Date,
        outstanding -> BigInt,
    }
}

diesel::table! {
    customer_pipeline (owner_id, level) {
        owner_id -> BigInt,
        level -> Text,
        customers -> BigInt,
        signed_total -> BigInt,
    }
}

diesel::table! {
    customer_grams (gram, customer_id) {
        gram -> BigInt,
        customer_id -> BigInt,
        owner_id -> BigInt,
    }
}

diesel::table! {
    receipts (id) {
        id -> BigInt,
        order_id -> BigInt,
        amount -> BigInt,
        received_on -> Date,
        method_id -> BigInt,
        note -> Nullable<Text>,
        reversal_of -> Nullable<BigInt>,
        recorded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    receipt_allocations (id) {
        id -> BigInt,
        receipt_id -> BigInt,
        installment_id -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    order_records (id) {
        id -> BigInt,
        order_id -> BigInt,
        kind -> Text,
        happened_on -> Date,
        note -> Text,
        satisfaction -> Nullable<SmallInt>,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(order_lines -> products (product_id));
diesel::joinable!(payment_installments -> orders (order_id));
diesel::joinable!(receipts -> orders (order_id));
diesel::joinable!(receipt_allocations -> receipts (receipt_id));
diesel::joinable!(receipt_allocations -> payment_installments (installment_id));
diesel::joinable!(order_records -> orders (order_id));
diesel::joinable!(orders -> users (owner_id));

diesel::table! {
    competitors (id) {
        id -> BigInt,
        name -> Text,
        website -> Nullable<Text>,
        strengths -> Nullable<Text>,
        weaknesses -> Nullable<Text>,
        products -> Nullable<Text>,
        pricing -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    opportunities (id) {
        id -> BigInt,
        customer_id -> BigInt,
        customer_owner_id -> BigInt,
        owner_id -> BigInt,
        title -> Text,
        stage_id -> BigInt,
        amount -> BigInt,
        probability -> SmallInt,
        probability_set -> Bool,
        expected_close_on -> Nullable<Date>,
        source_id -> Nullable<BigInt>,
        description -> Nullable<Text>,
        status -> Text,
        lost_reason -> Nullable<Text>,
        lost_to_id -> Nullable<BigInt>,
        closed_on -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        opened_on -> Nullable<Date>,
    }
}

diesel::table! {
    opportunity_moves (id) {
        id -> BigInt,
        opportunity_id -> BigInt,
        stage_id -> BigInt,
        status -> Text,
        moved_by -> BigInt,
        moved_at -> Timestamp,
    }
}

diesel::table! {
    opportunity_contacts (opportunity_id, contact_id) {
        opportunity_id -> BigInt,
        contact_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    opportunity_competitors (opportunity_id, competitor_id) {
        opportunity_id -> BigInt,
        competitor_id -> BigInt,
        strengths -> Nullable<Text>,
        weaknesses -> Nullable<Text>,
        threat -> SmallInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    opportunity_pipeline (owner_id, customer_owner_id, stage_id) {
        owner_id -> BigInt,
        customer_owner_id -> BigInt,
        stage_id -> BigInt,
        deals -> BigInt,
        amount -> BigInt,
        weighted -> BigInt,
    }
}

diesel::table! {
    quotes (id) {
        id -> BigInt,
        opportunity_id -> BigInt,
        number -> Text,
        version -> Integer,
        owner_id -> BigInt,
        status -> Text,
        valid_until -> Date,
        notes -> Nullable<Text>,
        total -> BigInt,
        order_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quote_lines (id) {
        id -> BigInt,
        quote_id -> BigInt,
        line_no -> Integer,
        product_id -> BigInt,
        quantity -> Integer,
        unit_price -> BigInt,
        discount -> BigInt,
        amount -> BigInt,
    }
}

diesel::joinable!(opportunities -> customers (customer_id));
diesel::joinable!(opportunities -> users (owner_id));
diesel::joinable!(opportunities -> dictionary_items (stage_id));
diesel::joinable!(opportunity_moves -> opportunities (opportunity_id));
diesel::joinable!(opportunity_contacts -> opportunities (opportunity_id));
diesel::joinable!(opportunity_contacts -> contacts (contact_id));
diesel::joinable!(opportunity_competitors -> opportunities (opportunity_id));
diesel::joinable!(opportunity_competitors -> competitors (competitor_id));
diesel::joinable!(quotes -> opportunities (opportunity_id));
diesel::joinable!(quote_lines -> quotes (quote_id));
diesel::joinable!(quote_lines -> products (product_id));

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    opportunity_competitors::competitor_id,
    opportunities::status,
);

diesel::table! {
    expenses (id) {
        id -> BigInt,
        spender_id -> BigInt,
        department_id -> BigInt,
        spent_on -> Date,
        amount -> BigInt,
        category_id -> BigInt,
        description -> Text,
        customer_id -> Nullable<BigInt>,
        opportunity_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        receipt_document_id -> Nullable<BigInt>,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    expense_department_months (month, status, department_id, category_id) {
        department_id -> BigInt,
        category_id -> BigInt,
        month -> Date,
        status -> Text,
        expenses -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    customer_days (owner_id, day) {
        owner_id -> BigInt,
        day -> Date,
        customers -> BigInt,
    }
}

diesel::table! {
    customer_level_months (owner_id, month, level) {
        owner_id -> BigInt,
        month -> Date,
        level -> Text,
        customers -> BigInt,
    }
}

diesel::table! {
    customer_level_gap_months (month, step, tenths) {
        month -> Date,
        step -> Integer,
        tenths -> BigInt,
        customers -> BigInt,
    }
}

diesel::table! {
    customer_level_beyond_months (month, level_rank, furthest) {
        month -> Date,
        level_rank -> Integer,
        furthest -> Integer,
        customers -> BigInt,
    }
}

diesel::table! {
    customer_level_times (customer_id) {
        customer_id -> BigInt,
        owner_id -> BigInt,
        created_at -> Timestamp,
        level -> Text,
        contacted_at -> Nullable<Timestamp>,
        prospect_at -> Nullable<Timestamp>,
        signed_at -> Nullable<Timestamp>,
        entered_contacted -> Bool,
        entered_prospect -> Bool,
        entered_signed -> Bool,
    }
}

diesel::table! {
    sales_months (owner_id, month) {
        owner_id -> BigInt,
        month -> Date,
        orders -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    sales_products (month, owner_id, product_id) {
        owner_id -> BigInt,
        month -> Date,
        product_id -> BigInt,
        orders -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    sales_segments (kind, month, owner_id, segment_id) {
        owner_id -> BigInt,
        month -> Date,
        kind -> Text,
        segment_id -> BigInt,
        orders -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    plan_months (owner_id, month) {
        owner_id -> BigInt,
        month -> Date,
        installments -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    receipt_months (owner_id, month) {
        owner_id -> BigInt,
        month -> Date,
        receipts -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    renewal_product_parts (order_id, product_id) {
        order_id -> BigInt,
        product_id -> BigInt,
        customer_id -> BigInt,
        owner_id -> BigInt,
        service_end -> Date,
        month -> Date,
        amount -> BigInt,
        renewed -> BigInt,
        renewed_amount -> BigInt,
    }
}

diesel::table! {
    renewal_products (month, owner_id, product_id) {
        owner_id -> BigInt,
        month -> Date,
        product_id -> BigInt,
        due -> BigInt,
        due_amount -> BigInt,
        renewed -> BigInt,
        renewed_amount -> BigInt,
    }
}

diesel::table! {
    renewal_months (owner_id, month) {
        owner_id -> BigInt,
        month -> Date,
        due -> BigInt,
        due_amount -> BigInt,
        renewed -> BigInt,
        renewed_amount -> BigInt,
    }
}

diesel::table! {
    receipt_days (owner_id, day) {
        owner_id -> BigInt,
        day -> Date,
        receipts -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    expense_months (spender_id, department_id, category_id, month, status) {
        spender_id -> BigInt,
        department_id -> BigInt,
        category_id -> BigInt,
        month -> Date,
        status -> Text,
        expenses -> BigInt,
        amount -> BigInt,
    }
}

diesel::joinable!(expenses -> departments (department_id));
diesel::joinable!(expenses -> dictionary_items (category_id));

diesel::table! {
    deal_months (month, status, lost_to_id, lost_reason) {
        month -> Date,
        status -> Text,
        lost_to_id -> BigInt,
        lost_reason -> Text,
        deals -> BigInt,
        amount -> BigInt,
        win_days -> BigInt,
    }
}

diesel::table! {
    ticket_months (month, kind, status, assignee_id) {
        month -> Date,
        kind -> Text,
        status -> Text,
        assignee_id -> BigInt,
        tickets -> BigInt,
        resolved -> BigInt,
        minutes -> BigInt,
        rated -> BigInt,
        stars -> BigInt,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        number -> Text,
        kind -> Text,
        customer_id -> BigInt,
        customer_owner_id -> BigInt,
        order_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
        priority -> Text,
        subject -> Text,
        description -> Nullable<Text>,
        status -> Text,
        assignee_id -> Nullable<BigInt>,
        resolution -> Nullable<Text>,
        satisfaction -> Nullable<SmallInt>,
        due_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        kind -> Text,
        status -> Nullable<Text>,
        assignee_id -> Nullable<BigInt>,
        body -> Nullable<Text>,
        user_id -> BigInt,
        at -> Timestamp,
    }
}

diesel::joinable!(ticket_events -> tickets (ticket_id));

diesel::table! {
    articles (id) {
        id -> BigInt,
        kind -> Text,
        category_id -> Nullable<BigInt>,
        title -> Text,
        body -> Text,
        tags -> Text,
        pinned -> Bool,
        status -> Text,
        author_id -> BigInt,
        read_count -> BigInt,
        helpful -> BigInt,
        unhelpful -> BigInt,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    article_reads (user_id, article_id) {
        article_id -> BigInt,
        user_id -> BigInt,
        read_at -> Timestamp,
    }
}

diesel::table! {
    article_votes (article_id, user_id) {
        article_id -> BigInt,
        user_id -> BigInt,
        helpful -> Bool,
        voted_at -> Timestamp,
    }
}

diesel::table! {
    article_grams (gram, in_title, article_id) {
        gram -> BigInt,
        in_title -> Bool,
        article_id -> BigInt,
    }
}

diesel::joinable!(articles -> users (author_id));
diesel::joinable!(articles -> dictionary_items (category_id));
diesel::joinable!(article_reads -> articles (article_id));
diesel::joinable!(article_votes -> articles (article_id));
diesel::joinable!(article_grams -> articles (article_id));

diesel::table! {
    documents (id) {
        id -> BigInt,
        title -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        thumbnail_sha256 -> Nullable<Text>,
        customer_id -> Nullable<BigInt>,
        opportunity_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        ticket_id -> Nullable<BigInt>,
        article_id -> Nullable<BigInt>,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(documents -> users (uploaded_by));

diesel::table! {
    imports (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        dry_run -> Bool,
        status -> Text,
        total -> Integer,
        valid -> Integer,
        processed -> Integer,
        created -> Integer,
        errors -> Text,
        unknown_columns -> Text,
        created_at -> Timestamp,
        touched_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(imports -> users (user_id));
