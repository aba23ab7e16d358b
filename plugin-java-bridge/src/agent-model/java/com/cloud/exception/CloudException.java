package com.cloud.exception;

/** Model of api/src/main/java/com/cloud/exception/CloudException.java. */
public class CloudException extends Exception {
    private static final long serialVersionUID = 1L;

    public CloudException(String message) {
        super(message);
    }

    public CloudException(String message, Throwable cause) {
        super(message, cause);
    }

    public CloudException() {
        super();
    }
}
