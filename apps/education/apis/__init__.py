"""Education views, by concern. Thin: parse with a nested serializer, call one service or
selector, serialize the answer."""
