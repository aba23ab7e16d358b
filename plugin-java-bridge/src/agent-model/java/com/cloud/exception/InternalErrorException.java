package com.cloud.exception;

/** Model of api/src/main/java/com/cloud/exception/InternalErrorException.java (checked). */
public class InternalErrorException extends ManagementServerException {
    private static final long serialVersionUID = 1L;

    public InternalErrorException(String message) {
        super(message);
    }

    public InternalErrorException(String message, Throwable cause) {
        super(message, cause);
    }
}
