package dev.tern.api.web;

/** NetBird's error body: {@code {"message": "...", "code": <status>}}. */
record ErrorResponse(String message, int code) {
}
