package fake;

/** TEST CODE: VifDriverBase as 4.20 and later have it: a field 'logger' of log4j 2's type. */
public class Log4j2Base {
    protected org.apache.logging.log4j.Logger logger;
}
