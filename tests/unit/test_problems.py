from shared.http.problems import flatten_messages


def test_nested_messages_name_the_field_path():
    errors = flatten_messages({"organisation": {"tax_code": ["Not valid."]}, "name": ["Missing."]})
    assert {"field": "organisation.tax_code", "message": "Not valid."} in errors
    assert {"field": "name", "message": "Missing."} in errors


def test_list_items_keep_their_index():
    errors = flatten_messages({"areas": {0: ["Unknown area."]}})
    assert errors == [{"field": "areas.0", "message": "Unknown area."}]
