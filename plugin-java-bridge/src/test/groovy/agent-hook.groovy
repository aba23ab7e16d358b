// TEST CODE, a model of CloudStack's LibvirtKvmAgentHook.handle (K/LibvirtKvmAgentHook.java, 4.14+):
// a GroovyScriptEngine on the hooks directory runs the script, whose value must be an object, and the
// method is invoked on it with the agent's logger and the argument; a null result or any exception
// keeps the argument.   groovy -cp CP agent-hook.groovy BASEDIR SCRIPT METHOD IN_FILE OUT_FILE
def (basedir, script, method, input, output) = args
def arg = new File(input).text
def logger = java.util.logging.Logger.getLogger('com.cloud.hypervisor.kvm.resource.LibvirtKvmAgentHook')
def result = arg
try {
    def gse = new GroovyScriptEngine([basedir] as String[])
    def cls = gse.run(script, new Binding())
    def r = cls.invokeMethod(method, [logger, arg] as Object[])
    if (r != null) {
        result = r.toString()
    }
} catch (Throwable t) {
    logger.warning("hook " + script + " failed: " + t)
}
new File(output).text = result
